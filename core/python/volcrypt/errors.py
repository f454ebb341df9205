"""What a failed call raises: VolcryptError, or its subclass for the exit code the
volcrypt program would have exited with."""


class VolcryptError(Exception):
    """A command failed. exit_code: the program's exit code; kind: the name its --json
    error carries ("usage", "not_found", ...); message: what the program prints;
    result: the document the command still printed (a batch in which some requests
    failed: each request's outcome), else None."""

    exit_code = 1

    def __init__(self, exit_code, kind, message, result=None):
        super().__init__(message)
        self.exit_code = exit_code
        self.kind = kind
        self.message = message
        self.result = result


class UnexpectedError(VolcryptError):
    exit_code = 1


class UsageError(VolcryptError):
    exit_code = 2


class NotFoundError(VolcryptError):
    exit_code = 3


class WrongKeyError(VolcryptError):
    exit_code = 4


class RefusedDataError(VolcryptError):
    exit_code = 5


class NoPluginError(VolcryptError):
    exit_code = 6


class BusyError(VolcryptError):
    exit_code = 7


class PluginFailedError(VolcryptError):
    exit_code = 8


class LibvirtError(VolcryptError):
    exit_code = 9


class InternalError(VolcryptError):
    exit_code = 10


ERROR_CLASSES = {
    cls.exit_code: cls
    for cls in (
        UnexpectedError,
        UsageError,
        NotFoundError,
        WrongKeyError,
        RefusedDataError,
        NoPluginError,
        BusyError,
        PluginFailedError,
        LibvirtError,
        InternalError,
    )
}


def error_for(exit_code, kind, message, result=None):
    return ERROR_CLASSES.get(exit_code, VolcryptError)(exit_code, kind, message, result)
