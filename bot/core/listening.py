"""Taking a port for one of Wegwijs' HTTP servers: the same way for each, IPv4 or IPv6.

The port is taken before anything else starts, so a port in use stops a command
at once with a clear reason instead of after the bot has begun. Each server says
what it is and which option chooses another port, for that reason.
"""

from __future__ import annotations

import socket


class PortUnavailable(Exception):
    """The address cannot be listened on (the port is taken, the host is not this machine's)."""


def listen(host: str, port: int, *, serving: str, choose: str) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port).

    ``""`` listens on every IPv4 address, as ``socket.create_server`` does;
    ``::`` on every address, IPv6 and IPv4, where the system allows both.
    ``serving`` names the server and ``choose`` the option that picks another
    port; both go into the reason when the port cannot be had.
    """
    try:
        if not host:
            return socket.create_server(("", port))
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        both = family == socket.AF_INET6 and host == "::" and socket.has_dualstack_ipv6()
        return socket.create_server((host, port), family=family, dualstack_ipv6=both)
    except (OSError, OverflowError) as exc:  # OverflowError: a port over 65535
        reason = getattr(exc, "strerror", None) or exc
        raise PortUnavailable(f"cannot serve {serving} on {host}:{port}: {reason} ({choose})") from exc


def url(sock: socket.socket) -> str:
    """The http URL of a listening socket, with an IPv6 address in brackets."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
