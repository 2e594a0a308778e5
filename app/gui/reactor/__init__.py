"""The event loop: qt5reactor's reactor, fed from one epoll fd."""
