"""The descriptors a reactor watches, on one epoll fd, handed out a bounded batch at a time.

:class:`EpollWatch` is the bookkeeping half of :class:`app.gui.reactor.qt_reactor.PoetryQtReactor`:
Qt watches only :meth:`EpollWatch.fileno`, and the reactor asks
:meth:`EpollWatch.ready` for at most so many ready descriptors each time Qt
says that fd is readable. The epoll set is level-triggered, so descriptors
left ready after a batch keep its fd readable, and Qt calls again on its
next loop pass, after its timers and painting; the kernel hands out ready
descriptors round-robin, so none waits behind a busy one.

File descriptor numbers are reused as soon as a socket closes, so the watch
never trusts a number alone: each batch says which descriptor object an
event was for, and :meth:`EpollWatch.watches` tells whether that object
still owns that number when its turn in the batch comes.
"""

from __future__ import annotations

import errno
import select
from collections.abc import Callable

from app.internals import Descriptor

#: What makes a reader's ``doRead`` due, and a writer's ``doWrite``: as a Qt
#: notifier, an error or hang-up wakes both, and the read or write finds out
#: which error it was (a refused connect, a reset, an orderly close).
READ_EVENTS = select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR
WRITE_EVENTS = select.EPOLLOUT | select.EPOLLHUP | select.EPOLLERR


class ReadyEvent:
    """One descriptor's readiness, as one :meth:`EpollWatch.ready` batch reported it."""

    __slots__ = ("descriptor", "events", "fd")

    def __init__(self, fd: int, descriptor: Descriptor, events: int) -> None:
        self.fd = fd
        self.descriptor = descriptor
        self.events = events


class EpollWatch:
    """Readers and writers on one level-triggered epoll set.

    ``lost(descriptor)`` is called for a descriptor the watch cannot put in
    the set (its ``fileno()`` is -1, or the kernel refuses it) or whose
    number another descriptor took after it closed: it stays watched, in
    :attr:`readers` or :attr:`writers`, until the reactor removes it, but no
    event will ever come for it.
    """

    def __init__(self, lost: Callable[[Descriptor], None]) -> None:
        self._epoll = select.epoll()
        self._lost = lost
        #: Insertion-ordered sets: what getReaders() and getWriters() list.
        self.readers: dict[Descriptor, None] = {}
        self.writers: dict[Descriptor, None] = {}
        #: The number each descriptor in the epoll set was registered with...
        self._fds: dict[Descriptor, int] = {}
        #: ...and which descriptor each registered number belongs to now.
        self._owners: dict[int, Descriptor] = {}

    def fileno(self) -> int:
        """The epoll fd: readable while any watched descriptor is ready."""
        return self._epoll.fileno()

    def close(self) -> None:
        self._epoll.close()

    def add(self, descriptor: Descriptor, *, reading: bool) -> None:
        """Watch ``descriptor`` for reading or for writing (nothing if it already is)."""
        watched = self.readers if reading else self.writers
        if descriptor not in watched:
            watched[descriptor] = None
            self._update(descriptor)

    def remove(self, descriptor: Descriptor, *, reading: bool) -> None:
        """Stop watching ``descriptor`` for reading or for writing (nothing if it was not)."""
        watched = self.readers if reading else self.writers
        if descriptor in watched:
            del watched[descriptor]
            self._update(descriptor)

    def ready(self, limit: int) -> list[ReadyEvent]:
        """At most ``limit`` ready descriptors, without waiting; the rest stay ready."""
        batch = []
        for fd, events in self._epoll.poll(0, limit):
            descriptor = self._owners.get(fd)
            if descriptor is not None:
                batch.append(ReadyEvent(fd, descriptor, events))
        return batch

    def watches(self, event: ReadyEvent, *, reading: bool) -> bool:
        """Whether ``event``'s descriptor still wants it handled for reading (or writing):
        not removed since the batch, nor its number handed to another descriptor."""
        watched = self.readers if reading else self.writers
        descriptor = event.descriptor
        return (
            event.events & (READ_EVENTS if reading else WRITE_EVENTS) != 0
            and descriptor in watched
            and self._owners.get(event.fd) is descriptor
        )

    def _update(self, descriptor: Descriptor) -> None:
        """Make the epoll set's entry for ``descriptor`` match what it is watched for."""
        mask = (select.EPOLLIN if descriptor in self.readers else 0) | (
            select.EPOLLOUT if descriptor in self.writers else 0
        )
        fd = self._fds.get(descriptor)
        if fd is not None:
            if mask:
                self._control(descriptor, fd, self._epoll.modify, mask)
            else:
                self._forget(descriptor, fd)
                # Closed, its fd left the set by itself (EBADF, or ENOENT once reused).
                _ignoring_gone_fd(self._epoll.unregister, fd)
            return
        if not mask:
            return
        fd = _fileno(descriptor)
        if fd < 0:
            self._lost(descriptor)
            return
        displaced = self._owners.get(fd)
        if displaced is not None:
            # Its socket closed without being removed, and the number is this one's now.
            self._forget(displaced, fd)
            self._lost(displaced)
        self._fds[descriptor] = fd
        self._owners[fd] = descriptor
        self._control(descriptor, fd, self._register, mask)

    def _register(self, fd: int, mask: int) -> None:
        try:
            self._epoll.register(fd, mask)
        except FileExistsError:
            # Left in the set by a displaced descriptor whose socket still lives on elsewhere.
            self._epoll.modify(fd, mask)

    def _control(
        self, descriptor: Descriptor, fd: int, control: Callable[[int, int], None], mask: int
    ) -> None:
        try:
            control(fd, mask)
        except (OSError, ValueError):
            self._forget(descriptor, fd)
            self._lost(descriptor)

    def _forget(self, descriptor: Descriptor, fd: int) -> None:
        del self._fds[descriptor]
        if self._owners.get(fd) is descriptor:
            del self._owners[fd]


def _fileno(descriptor: Descriptor) -> int:
    try:
        return descriptor.fileno()
    except (OSError, ValueError):
        return -1


def _ignoring_gone_fd(unregister: Callable[[int], None], fd: int) -> None:
    try:
        unregister(fd)
    except OSError as e:
        if e.errno not in (errno.EBADF, errno.ENOENT):
            raise
