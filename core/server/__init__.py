"""``impactkg serve``: a SPARQL 1.1 Protocol endpoint at ``/sparql``, the named queries at
``/queries/NAME``, and the browser pages (:mod:`.pages`) on one server, all reading the graph
through its one door (:class:`~impactkg.graph.store.KnowledgeGraph`).

Safe by default: it binds 127.0.0.1 and answers only requests addressed to it (the Host check),
sends no CORS headers unless told which origins may read it, is read-only unless started with
``--allow-update`` and a token (then updates need ``Authorization: Bearer TOKEN``), stops every
query at a time limit (killing its worker process), caps result sizes and request bodies, and
refuses ``SERVICE`` and ``LOAD`` of hosts not on the allow-list.

>>> config = ServeConfig(port=0)
>>> (config.host, config.allow_update, config.timeout)
('127.0.0.1', False, 30.0)
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

from impactkg.errors import StoreError
from impactkg.server.app import App, ServeConfig
from impactkg.server.http import ImpactKGServer


def make_server(config: ServeConfig) -> ImpactKGServer:
    """The server, bound but not yet serving (``port=0`` picks a free port).
    Raises StoreError when the store cannot be opened or the address cannot be bound."""
    app = App(config)
    try:
        return ImpactKGServer(app)
    except OSError as exc:
        app.close()
        raise StoreError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None


def serve(config: ServeConfig) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), then stop every worker."""
    httpd = make_server(config)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        # A local store records who serves it (address, pid) before anyone is told the address,
        # so that a command that would write it says where to load instead
        # (impactkg.graph.backends.versions).
        with httpd.app.announce(httpd.base):
            mode = "updates allowed with the token" if config.allow_update else "read-only"
            print(f"serving {httpd.app.location} at {httpd.base}/ ({mode}; "
                  f"time limit {config.timeout:g} s, at most {config.max_results} results)", flush=True)
            if config.host not in ("127.0.0.1", "localhost", "::1"):
                print(f"impactkg: warning: listening on {config.host}: other machines can reach this server "
                      "(put a reverse proxy with TLS in front of it; see README)", file=sys.stderr, flush=True)
            httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        httpd.server_close()
        httpd.app.close()


__all__ = ["App", "ServeConfig", "make_server", "serve"]
