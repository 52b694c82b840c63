"""An identity provider's JWKS endpoint on loopback, over https with its own certificate authority, whose key
set a test can change (rotate a key in, withdraw one) and whose fetches it can count."""

import datetime
import ipaddress
import json
import ssl
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

PATH = "/.well-known/jwks.json"


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    return {
        **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())),
        "kid": kid,
        "use": "sig",
        "alg": "RS256",
    }


@dataclass
class IdentityProvider:
    url: str
    client_context: ssl.SSLContext
    keys: list[dict[str, Any]]
    fetches: list[str] = field(default_factory=list)
    available: bool = True

    def serve(self, *keys: tuple[rsa.RSAPrivateKey, str]) -> None:
        """From now on, publish exactly these (key, kid) pairs."""
        self.keys[:] = [public_jwk(key, kid) for key, kid in keys]


def self_signed(common_name: str, *extensions: tuple[x509.ExtensionType, bool]) -> tuple[bytes, bytes]:
    """A self-signed certificate (a day's validity) and its key, both PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    certificate = builder.sign(key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def _certificate() -> tuple[bytes, bytes]:
    """The identity provider's TLS certificate for 127.0.0.1, and its key."""
    return self_signed(
        "127.0.0.1",
        (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False),
        (x509.BasicConstraints(ca=True, path_length=None), True),
    )


@contextmanager
def identity_provider(*keys: tuple[rsa.RSAPrivateKey, str]) -> Iterator[IdentityProvider]:
    certificate, key = _certificate()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "cert.pem").write_bytes(certificate)
        (Path(folder) / "key.pem").write_bytes(key)
        server_context.load_cert_chain(Path(folder) / "cert.pem", Path(folder) / "key.pem")
    client_context = ssl.create_default_context(cadata=certificate.decode())
    provider = IdentityProvider(url="", client_context=client_context, keys=[])
    provider.serve(*keys)

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            provider.fetches.append(self.path)
            if not provider.available:
                self.send_error(503)
                return
            body = json.dumps({"keys": provider.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    provider.url = f"https://127.0.0.1:{server.server_port}{PATH}"
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
