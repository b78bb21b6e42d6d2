# SPDX-License-Identifier: MIT
"""A certificate authority and leaf certificates made by the test itself (the openssl command
line), for the suites that talk HTTPS to the server: a CA certificate for the clients to trust,
and "fullchain" + key pairs for the server's `tls` settings. Nothing is downloaded or shared
between runs; everything lives in a temp dir removed by close()."""

import os
import shutil
import ssl
import subprocess
import tempfile

__all__ = ["Pki", "openssl", "openssl_available"]


def openssl_available():
    return shutil.which("openssl") is not None


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


class Pki:
    """A test CA and leaf certificates for localhost / 127.0.0.1, in a temp dir."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-tls-")
        self.dir = self.tmp.name
        self.ca_key = self.path("ca.key")
        self.ca = self.path("ca.pem")
        self._key(self.ca_key)
        openssl("req", "-x509", "-new", "-key", self.ca_key, "-subj", "/CN=learnhttpd test CA",
                "-days", "30", "-out", self.ca)

    def path(self, name):
        return os.path.join(self.dir, name)

    @staticmethod
    def _key(path):
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path)

    def leaf(self, name, serial, days=30, san="DNS:localhost,IP:127.0.0.1", cn="localhost"):
        """(certificate, key) of a new leaf signed by the CA, for the subjectAltName `san`; the
        chain file holds the leaf and the CA, like a "fullchain"."""
        key, csr, cert = self.path(name + ".key"), self.path(name + ".csr"), self.path(name + ".crt")
        ext = self.path(name + ".ext")
        with open(ext, "w", encoding="ascii") as f:
            f.write(f"subjectAltName={san}\n")
        self._key(key)
        openssl("req", "-new", "-key", key, "-subj", f"/CN={cn}", "-out", csr)
        openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                "-set_serial", str(serial), "-days", str(days), "-extfile", ext, "-out", cert)
        chain = self.path(name + ".fullchain.pem")
        with open(chain, "wb") as out:
            for part in (cert, self.ca):
                with open(part, "rb") as f:
                    out.write(f.read())
        return chain, key

    def client_context(self, alpn=("http/1.1",)):
        """A client context that trusts only this CA (and checks the host name)."""
        ctx = ssl.create_default_context(cafile=self.ca)
        if alpn:
            ctx.set_alpn_protocols(list(alpn))
        return ctx

    def close(self):
        self.tmp.cleanup()
