"""Budgets for what strangers can do: counted per client, so one client can't spend them
for everyone, with an optional ceiling for the whole process far above any one client.

A client is a string the page derives from the connection (`client_key`): the socket
peer's address, or the address a trusted proxy forwarded. IPv6 addresses count per /64,
the block one subscriber is normally given. Budgets live in this process's memory, never
in the database (an address is personal data), so a restart starts them afresh and each
server process keeps its own.
"""

from __future__ import annotations

import ipaddress
import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from core.clock import system_clock

# The key of every visitor whose address is unknown: a session on the server's own
# machine (Streamlit gives no address for localhost) or a test. They share one budget.
LOCAL_CLIENT = "local"
# What the command line and tests pass as the client where no visitor is behind the
# call: nothing is counted. Pages never pass it; they pass `ui.client.key()`.
UNLIMITED = "(not limited: command line or test)"
# How many clients a budget remembers at once; the least recently seen go first.
MAX_CLIENTS = 10_000
# Longer header values are not ours to parse.
MAX_FORWARDED_FOR = 2_000


@dataclass(frozen=True)
class Wait:
    """A refusal: try again in `seconds`; `everyone` when the process-wide ceiling said no."""

    seconds: float
    everyone: bool = False


class ClientLimit:
    """At most `per_client` events per client in any `window` seconds, and, with a
    `ceiling`, at most that many in all (thread-safe). Memory stays bounded: clients with
    nothing left in the window are dropped, and past `max_clients` the least recently
    seen one is forgotten. `clock` gives seconds; by default the one clock's
    (`core.clock`), so moving the test clock moves every budget too.
    """

    def __init__(
        self,
        per_client: int,
        ceiling: int | None = None,
        *,
        window: float = 60.0,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = lambda: system_clock().timestamp(),
    ) -> None:
        self.per_client = per_client
        self.ceiling = ceiling
        self.window = window
        self.max_clients = max(1, max_clients)
        self._clock = clock
        self._clients: OrderedDict[str, deque[float]] = OrderedDict()
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def remembered(self) -> int:
        """How many clients are remembered now."""
        return len(self._clients)

    def _forget_stale(self, now: float) -> None:
        while self._all and now - self._all[0] >= self.window:
            self._all.popleft()
        # Least recently active first: stop at the first client still in the window.
        while self._clients:
            client, events = next(iter(self._clients.items()))
            if events and now - events[-1] < self.window:
                break
            del self._clients[client]

    def take(self, client: str, now: float | None = None) -> Wait | None:
        """Count one event for `client`: None when counted, else how long to wait."""
        now = self._clock() if now is None else now
        with self._lock:
            self._forget_stale(now)
            events = self._clients.get(client)
            if events is not None:
                while events and now - events[0] >= self.window:
                    events.popleft()
                if len(events) >= self.per_client:
                    return Wait(events[0] + self.window - now)
            if self.ceiling is not None and len(self._all) >= self.ceiling:
                return Wait(self._all[0] + self.window - now, everyone=True)
            if events is None:
                while len(self._clients) >= self.max_clients:
                    self._clients.popitem(last=False)
                events = self._clients[client] = deque()
            events.append(now)
            self._clients.move_to_end(client)
            if self.ceiling is not None:
                self._all.append(now)
            return None

    def give_back(self, client: str, at: float) -> None:
        """Un-count an event taken at `at` (it turned out not to count, e.g. a success)."""
        with self._lock:
            events = self._clients.get(client)
            if events is not None and at in events:
                events.remove(at)
            if at in self._all:
                self._all.remove(at)


def take_or_refuse(budget: ClientLimit, client: str, refusal: Callable[[Wait], Exception]) -> None:
    """Count one event for `client`, or raise `refusal(wait)` when its budget (or the
    process-wide ceiling) says no. UNLIMITED counts nothing."""
    if client == UNLIMITED:
        return
    wait = budget.take(client)
    if wait is not None:
        raise refusal(wait)


_per_owner: weakref.WeakKeyDictionary[object, dict[Hashable, ClientLimit]] = (
    weakref.WeakKeyDictionary()
)
_per_owner_lock = threading.Lock()


def budget_for(owner: object, name: Hashable, make: Callable[[], ClientLimit]) -> ClientLimit:
    """The budget called `name` that belongs to `owner` (the process's store), made once.

    Kept beside the store so each database has its own (tests open one each).
    """
    with _per_owner_lock:
        budgets = _per_owner.setdefault(owner, {})
        budget = budgets.get(name)
        if budget is None:
            budget = budgets[name] = make()
        return budget


# ---------------------------------------------------------------- who is the client


def trusted_networks(trusted_proxies: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in trusted_proxies.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"BOUNCE_BACK_TRUSTED_PROXIES: {entry!r} is not an address or a network"
            ) from None
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> bool:
    # A proxy on this machine is always one: Streamlit's server binds both stacks, so a
    # local proxy can arrive as ::ffff:127.0.0.1, which its own header handling does not
    # trust.
    return address.is_loopback or any(address in net for net in networks)


def is_trusted_proxy(peer: str | None, trusted_proxies: str = "") -> bool:
    """Whether the socket peer is a proxy whose forwarded headers we believe."""
    address = _address(peer) if peer else None
    return address is not None and _trusted(address, trusted_networks(trusted_proxies))


def client_key(peer: str | None, forwarded_for: str | None, trusted_proxies: str = "") -> str:
    """Whom a request counts against: a plain string for the budgets above.

    `peer` is the socket peer's address (None when unknown: LOCAL_CLIENT). When the peer
    is one of `trusted_proxies` (addresses or networks, comma- or space-separated), the
    `X-Forwarded-For` value is read from the right, skipping trusted proxies, and the
    first address that is not one is the client. Anything unreadable there stops the
    walk at the last proxy, so a made-up header never buys a fresh budget.
    """
    if not peer:
        return LOCAL_CLIENT
    current = _address(peer)
    if current is None:
        return "peer " + peer.strip()[:64]
    networks = trusted_networks(trusted_proxies)

    def trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return _trusted(address, networks)

    # A header longer than any real chain is unreadable as a whole: cutting it would
    # drop the hops the trusted proxies appended and leave text the client chose.
    if forwarded_for and len(forwarded_for) <= MAX_FORWARDED_FOR and trusted(current):
        for hop in reversed(forwarded_for.split(",")):
            address = _address(hop)
            if address is None:
                break
            current = address
            if not trusted(address):
                break
    return _key(current)
