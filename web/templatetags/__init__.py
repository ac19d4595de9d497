"""``{% load web %}``, registered in settings TEMPLATES OPTIONS["libraries"]."""
