"""A real OpenID provider for the single sign-on tests: oidc-provider-mock on localhost, in
its own process (python -m tests.marketplace.auth._oidc_provider; it prints its port).

For the tokens a correct provider never issues (another audience, expired, another nonce),
PUT /_tamper {"claims": {...}, "publish_key": bool} makes the token endpoint re-sign the ID
token with those claims changed, using a key it publishes at /jwks when publish_key is true
(so only the claim checks can refuse it) and does not publish otherwise (a bad signature).
PUT /_tamper {} switches this off.
"""

from __future__ import annotations

import json
import sys
import warnings

import werkzeug.serving
import werkzeug.test

with warnings.catch_warnings():
    import authlib.deprecate  # noqa: F401  (installs its own filter first)

    warnings.simplefilter("ignore", DeprecationWarning)  # the mock still uses authlib's deprecated APIs
    from joserfc import jwk, jwt
    from oidc_provider_mock import app as provider_app

warnings.simplefilter("ignore", DeprecationWarning)


class Tamper:
    def __init__(self, inner):
        self.inner = inner
        self.settings: dict = {}
        self.key = jwk.RSAKey.generate_key(2048, parameters={"kid": "tamper"}, private=True)

    def _json(self, start_response, data, status="200 OK"):
        body = json.dumps(data).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_tamper":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            self.settings = json.loads(environ["wsgi.input"].read(length) or b"{}")
            return self._json(start_response, {"ok": True})
        if not self.settings or path not in ("/oauth2/token", "/jwks"):
            return self.inner(environ, start_response)
        if path == "/jwks":
            if not self.settings.get("publish_key", True):
                return self.inner(environ, start_response)
            return self._json(start_response, {"keys": [self.key.as_dict(private=False)]})
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status

        data = json.loads(b"".join(self.inner(environ, capture)))
        if "id_token" in data:
            keys = jwk.KeySet.import_key_set(self._inner_jwks(environ["HTTP_HOST"]))
            claims = {**jwt.decode(data["id_token"], keys).claims, **self.settings.get("claims", {})}
            data["id_token"] = jwt.encode({"alg": "RS256", "kid": "tamper"}, claims, self.key)
        return self._json(start_response, data, captured["status"])

    def _inner_jwks(self, host):
        environ = werkzeug.test.EnvironBuilder(path="/jwks", base_url=f"http://{host}").get_environ()
        return json.loads(b"".join(self.inner(environ, lambda *args: None)))


def main() -> None:
    server = werkzeug.serving.make_server("localhost", 0, Tamper(provider_app(require_nonce=True)), threaded=True)
    print(server.server_port, flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
