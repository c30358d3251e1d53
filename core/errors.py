"""Errors a user can see. Every message is already translated when raised."""


class KassiError(Exception):
    """Base of every error kassi reports to a user; the CLI prints it and exits 2."""

    exit_code = 2

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class InputError(KassiError):
    """Malformed or out-of-range input: an amount, a SKU, a quantity."""


class NotFound(KassiError):
    """A store, terminal, session, item or receipt that does not exist."""


class StateError(KassiError):
    """The operation does not fit the current state (closing a closed session...)."""


class PermissionDenied(KassiError):
    """The staff member lacks the permission the operation needs."""

    exit_code = 3


class AuthError(KassiError):
    """Wrong PIN, unknown staff member or a locked-out account."""

    exit_code = 3
