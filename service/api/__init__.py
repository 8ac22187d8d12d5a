"""The HTTP API: routes, middleware and the app factory (`service.api.app.create_app`)."""
