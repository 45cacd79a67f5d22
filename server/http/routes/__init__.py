"""One router per resource; ``server.http.app.create_app`` includes them all."""
