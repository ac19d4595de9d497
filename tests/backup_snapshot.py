"""What a restore must bring back, as JSON: run in a subprocess against a database
and media folder (tests/test_backup.py). No pytest import."""

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit


def snapshot():
    from django.conf import settings
    from django.test import Client

    from certificates.models import Document
    from lims.models import AuditEntry

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    documents = {}
    for doc in Document.objects.order_by("id"):
        url = urlsplit(doc.context.get("verification_url") or f"/verify/{doc.number}/")
        path = url.path + (f"?{url.query}" if url.query else "")
        page = client.get(path)
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.content.decode())
        file = Path(settings.MEDIA_ROOT) / doc.pdf.name if doc.pdf else None
        upload = None
        if file and file.is_file():
            with open(file, "rb") as f:
                upload = "identical" in client.post(path, {"pdf": f}).content.decode()
        documents[doc.number] = {
            "validity": doc.validity,
            "stored_sha256": doc.sha256,
            "file_sha256": hashlib.sha256(file.read_bytes()).hexdigest() if file and file.is_file() else None,
            "verification_status": page.status_code,
            "verification_page": hashlib.sha256(html.encode()).hexdigest(),
            "upload_identical": upload,
        }
    audit = [
        [e.id, e.entity, e.entity_id, e.sample_id, e.action, e.actor_id, e.at.isoformat(), e.reason, e.changes]
        for e in AuditEntry.objects.order_by("id")
    ]
    return {"documents": documents, "audit": audit}


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(snapshot(), sort_keys=True))
