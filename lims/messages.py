"""Every message a person can read, one way for the whole project. Pure: no Django import.

A :class:`Message` carries a stable ``code`` (for programs: the API's ``"code"``), an English
``template`` with named placeholders, and the ``params`` that fill them. It is made where the
rule is, in English, with the template wrapped in :func:`gettext_noop`:

    raise InputError({"blank_ml": [Message("blank_not_above_titrant",
                                           gettext_noop("must be > titrant_ml (%(titrant)s)"),
                                           titrant=_fmt(v))]})

``gettext_noop`` only marks the template for extraction (``makemessages`` and Babel know the
keyword); the translation happens when the message is turned into text (``str(message)``), in
the language active at that moment (the request's, on a page or in the API) — lazily, as Django's
``gettext_lazy``. Django installs its ``gettext`` here when the apps are ready
(:func:`set_translator`, from ``lims.apps``); without Django a message reads in English.

A param may itself be a Message (a status, an action, a field name: :func:`term`), translated
with the sentence; a list or tuple param is joined with ", ".
"""


def gettext_noop(template):
    """Marks ``template`` for translation (extracted by keyword) and returns it unchanged."""
    return template


def _identity(text):
    return text


def _english():
    return "en"


_translate = _identity
_language = _english


def set_translator(gettext, get_language=None):
    """Install the function that translates a template in the active language (Django's ``gettext``) and the
    one that names that language (``get_language``)."""
    global _translate, _language
    _translate = gettext or _identity
    _language = get_language or _english


def _text(value, translate):
    if isinstance(value, Message):
        return value.render(translate)
    if isinstance(value, Joined):
        return value.sep.join(str(_text(i, translate)) for i in value.items)
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v, translate) for v in value)
    return value


class Message:
    """A user-readable message: ``code``, English ``template`` (named ``%(placeholders)s``), ``params``.

    ``str()`` gives it in the active language; ``english()`` in English. It compares equal to
    the text it reads as, so ``message == "is required"`` holds while English is active.
    """

    __slots__ = ("code", "template", "params")

    def __init__(self, code, template, /, **params):
        self.code = code
        self.template = template
        self.params = params

    def render(self, translate):
        return translate(self.template) % {k: _text(v, translate) for k, v in self.params.items()}

    def __str__(self):
        return self.render(_translate)

    def english(self):
        return self.render(_identity)

    def as_dict(self):
        """JSON-able form (code, English template, params) to store and :meth:`from_dict` later; a
        :class:`Named` or :class:`FieldName` also keeps its ``kind``, so it reads again as it did."""
        data = {
            "code": self.code,
            "template": self.template,
            "params": {k: v.as_dict() if isinstance(v, Message) else v for k, v in self.params.items()},
        }
        kind = _KIND_OF.get(type(self))
        if kind:
            data["kind"] = kind
        return data

    @classmethod
    def from_dict(cls, data):
        params = {
            k: cls.from_dict(v) if isinstance(v, dict) and "template" in v else v
            for k, v in (data.get("params") or {}).items()
        }
        made = object.__new__(_KINDS.get(data.get("kind"), Message))
        made.code, made.template, made.params = data["code"], data["template"], params
        return made

    def __repr__(self):
        return f"Message({self.code!r}, {self.english()!r})"

    def __eq__(self, other):
        if isinstance(other, Message):
            return (self.code, self.template, self.params) == (other.code, other.template, other.params)
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self):
        return hash(str(self))

    def __contains__(self, text):
        return text in str(self)

    def __getattr__(self, name):  # the str methods (startswith, split...) on the text in the active language
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(str(self), name)

    def __add__(self, other):
        return str(self) + other

    def __radd__(self, other):
        return other + str(self)


class Joined:
    """Several messages as one param, joined by ``sep``, each read in the active language."""

    def __init__(self, items, sep=", "):
        self.items, self.sep = list(items), sep

    def __str__(self):
        return self.sep.join(str(i) for i in self.items)


class FieldName(Message):
    """A field of the API inside a message: its own name (``wet_mass_g``) in English, where a reader of the API
    knows it, and its label (``gettext_noop("wet mass")``) in a language that translates the label."""

    __slots__ = ()

    def render(self, translate):
        text = translate(self.template)
        return self.code if text == self.template else text


class Named(Message):
    """Something whose names are data, not msgids (a parameter, a category: ``name_zh``): its name in Chinese,
    its code in English (the code the API uses)."""

    __slots__ = ()

    def __init__(self, code, name_zh):
        super().__init__(code, "%(name)s")
        self.params = {"name": name_zh}

    def render(self, translate):
        chinese = translate is not _identity and (_language() or "en").lower().startswith("zh")
        return self.params["name"] if chinese else self.code


_KINDS = {"named": Named, "field_name": FieldName}
_KIND_OF = {v: k for k, v in _KINDS.items()}


def field_name(code, table):
    """``code`` as a :class:`FieldName` when ``table`` has its label, else the code itself."""
    label = table.get(code)
    return FieldName(code, label) if label is not None else code


def english(data):
    """``data`` (dicts, lists, tuples) with every Message as its English text: for what is frozen and kept as it
    was said (a certificate's content), not read again in a reader's language."""
    if isinstance(data, Message):
        return data.english()
    if isinstance(data, Joined):
        return data.sep.join(str(english(i)) for i in data.items)
    if isinstance(data, dict):
        return {k: english(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(english(v) for v in data)
    return data


def term(code, table):
    """A code shown by its name (``table[code]``, a gettext_noop template) inside another message."""
    template = table.get(code)
    return Message(code, template) if template is not None else code


def code_of(message, default="invalid"):
    """The code of a message (a :class:`Message`, a DRF ErrorDetail, a Django ValidationError...)."""
    code = getattr(message, "code", None)
    return code if isinstance(code, str) and code else default


_STORED = "$message"


def storable(data):
    """``data`` (dicts, lists, tuples) made JSON-able with every Message kept as a message (its code, English
    template and params), for what is stored and read again in each reader's language (:func:`restored`)."""
    if isinstance(data, Message):
        return {_STORED: data.as_dict()}
    if isinstance(data, Joined):
        return data.sep.join(str(english(i)) for i in data.items)
    if isinstance(data, dict):
        return {k: storable(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [storable(v) for v in data]
    return data


def restored(data):
    """What :func:`storable` stored, with its messages back as Message."""
    if isinstance(data, dict):
        if set(data) == {_STORED}:
            return Message.from_dict(data[_STORED])
        return {k: restored(v) for k, v in data.items()}
    if isinstance(data, list):
        return [restored(v) for v in data]
    return data
