"""HTTPS serving shared by the cloud KMS test servers (gcpkms_fake.py, azurekv_fake.py)."""
import ssl
from http.server import ThreadingHTTPServer


class TLSServer(ThreadingHTTPServer):
    """HTTPS with the TLS handshake in each connection's own thread, not in accept(): a client
    that connects and stays silent (or fails or slows its handshake) must not stall the others."""
    daemon_threads = True
    context: ssl.SSLContext = None
    handshake_timeout = 10

    def finish_request(self, request, client_address):
        request.settimeout(self.handshake_timeout)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return  # a failed handshake (untrusted CA, closed connection) ends this connection only
        tls.settimeout(None)
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass
