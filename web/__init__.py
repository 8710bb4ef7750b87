"""The HTTP edge every web face of Newsroom needs: the app assembly and its lifespan, client
addresses behind trusted proxies, body limits, security headers, CORS, request ids, access logs,
metrics and `newsroom serve`. It knows no face: the API (`api`) and the desk are mounted on it
as `Face`s by the composition root (`newsroom`), and it imports neither."""
