"""Domain errors: what services raise and the UI shows in its message bar.

Every message says what happened and, where there is one, what to do next.

    CommissionerError
    ├── ConfigError                 bad settings or form values
    ├── StorageError                the data directory or journal cannot be used
    ├── CsmsError
    │   ├── PortInUseError          the CSMS port is taken by another program
    │   │   └── FileServerPortInUseError   the file server's HTTP or FTP port is taken
    │   └── ChargerNotConnectedError
    ├── CertificateError            the built-in CA, a CSR or a certificate cannot be used (says why)
    ├── ConsoleError                a charger's serial console cannot be used (says what to try)
    │   ├── PortNotFoundError       no such serial port (not plugged in, wrong name)
    │   ├── PortGoneError           the port vanished or failed mid-command (cable pulled)
    │   ├── GarbageError            unreadable bytes: typically a wrong baud rate or line settings
    │   ├── ConsoleTimeoutError     the prompt or an answer never came
    │   ├── LoginRefusedError       the console refused the user or password
    │   └── CommandRejectedError    the charger answered a command with an error (its text kept)
    ├── FileServerError             the built-in file server cannot do what was asked
    │   └── ArchiveError            a received archive cannot be read (damaged, not an archive)
    └── OperationError              a CSMS-initiated operation did not succeed
        ├── PayloadInvalidError     refused before sending: the request breaks the schema
        ├── CallTimeoutError        the charger did not answer in time
        ├── CallErrorReceived       the charger answered with a CALLERROR (code, description)
        ├── ResponseInvalidError    the charger's answer breaks the schema (strict mode)
        ├── OperationRejected       the charger answered, but not with what was asked (e.g. Rejected)
        ├── ExpectTimeoutError      a message the charger should send next did not come in time
        │   └── ReportIncompleteError   parts of a NotifyReport never arrived (names the missing seqNo)
        └── TaskTimeoutError        a workflow ran past its time limit
"""

from __future__ import annotations


class CommissionerError(Exception):
    """Base of every error the app raises on purpose."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ConfigError(CommissionerError):
    pass


class StorageError(CommissionerError):
    pass


class CsmsError(CommissionerError):
    pass


class CertificateError(CommissionerError):
    """The built-in CA cannot be made or opened, a CSR is refused, a certificate does not fit; `reason`
    is the short machine-readable cause (e.g. "key-too-small", "cn-mismatch", "expired")."""

    def __init__(self, message: str, *, hint: str = "", reason: str = "") -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class PortInUseError(CsmsError):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"Port {port} on {host} is already in use by another program.",
            hint="Close that program or choose another port in Settings.",
        )
        self.host = host
        self.port = port


class FileServerPortInUseError(PortInUseError):
    def __init__(self, host: str, port: int, service: str) -> None:
        super().__init__(host, port)
        self.message = f"The file server's {service} port {port} on {host} is already in use by another program."
        self.hint = f"Close that program or change the file server's {service} port in Settings (0 picks a free one)."
        self.args = (self.message,)
        self.service = service


class ChargerNotConnectedError(CsmsError):
    def __init__(self, charger_id: str) -> None:
        super().__init__(
            f"Charger {charger_id} is not connected.",
            hint="Check that the charger's backend URL points at this laptop and that it is powered.",
        )
        self.charger_id = charger_id


class ConsoleError(CommissionerError):
    """A serial console failed; `port` names it."""

    def __init__(self, message: str, *, port: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.port = port


class PortNotFoundError(ConsoleError):
    pass


class PortGoneError(ConsoleError):
    pass


class GarbageError(ConsoleError):
    pass


class ConsoleTimeoutError(ConsoleError):
    pass


class LoginRefusedError(ConsoleError):
    pass


class CommandRejectedError(ConsoleError):
    """The charger's own answer is `text`; `command` is as sent, secrets masked."""

    def __init__(self, port: str, setting: str, command: str, text: str) -> None:
        super().__init__(f"The charger on {port} refused {command!r}: {text}", port=port,
                         hint="Check the value against the charger's manual; the session log has the exchange.")
        self.setting = setting
        self.command = command
        self.text = text


class FileServerError(CommissionerError):
    """The built-in file server (app/files) cannot serve, store or read a file."""


class ArchiveError(FileServerError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Cannot list the archive {path}: {reason}.",
                         hint="The file may be damaged or cut short (a partial upload); open it in the system viewer.")
        self.path = path


class OperationError(CommissionerError):
    def __init__(self, message: str, *, action: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.action = action


class PayloadInvalidError(OperationError):
    """The request was not sent: it breaks the action's JSON schema."""

    def __init__(self, action: str, errors: list[str]) -> None:
        super().__init__(
            f"{action} was not sent: " + "; ".join(errors),
            action=action,
            hint="Correct the marked fields and send again.",
        )
        self.errors = errors


class CallTimeoutError(OperationError):
    def __init__(self, action: str, charger_id: str, timeout: float) -> None:
        super().__init__(
            f"{charger_id} did not answer {action} within {timeout:g} s.",
            action=action,
            hint="The charger may be busy or offline; check its connection and try again.",
        )
        self.charger_id = charger_id
        self.timeout = timeout


class CallErrorReceived(OperationError):
    """The charger answered with a CALLERROR; code and description are the charger's own."""

    def __init__(self, action: str, code: str, description: str, details: object = None) -> None:
        super().__init__(
            f"The charger refused {action}: {code}" + (f" ({description})" if description else ""),
            action=action,
        )
        self.code = code
        self.description = description
        self.details = details


class ResponseInvalidError(OperationError):
    def __init__(self, action: str, errors: list[str]) -> None:
        super().__init__(
            f"The charger's answer to {action} breaks the schema: " + "; ".join(errors),
            action=action,
        )
        self.errors = errors


class OperationRejected(OperationError):
    """The charger answered, with a status that means no (Rejected, NotSupported, ...)."""

    def __init__(self, action: str, status: str, charger_id: str, hint: str = "") -> None:
        super().__init__(f"{charger_id} answered {action} with {status}.", action=action,
                         hint=hint or "See the charger's manual for why it refuses; the message log has the exchange.")
        self.status = status
        self.charger_id = charger_id


class ExpectTimeoutError(OperationError):
    """What the charger should have sent next (a NotifyReport, a status notification) never came."""

    def __init__(self, charger_id: str, action: str, timeout: float, hint: str = "") -> None:
        super().__init__(f"{charger_id} sent no {action} within {timeout:g} s.", action=action,
                         hint=hint or "The charger may not support it or may be busy; see the message log.")
        self.charger_id = charger_id
        self.timeout = timeout


class ReportIncompleteError(ExpectTimeoutError):
    def __init__(self, charger_id: str, request_id: int, missing: list[int], timeout: float) -> None:
        parts = ", ".join(str(n) for n in missing[:20]) + (" …" if len(missing) > 20 else "")
        super().__init__(charger_id, "NotifyReport", timeout,
                         hint=f"Parts {parts} of report {request_id} never arrived; read the report again.")
        self.message = (f"{charger_id} sent an incomplete report {request_id} within {timeout:g} s "
                        f"(missing part(s) {parts}).")
        self.request_id = request_id
        self.missing = missing


class TaskTimeoutError(OperationError):
    def __init__(self, name: str, timeout: float) -> None:
        super().__init__(f"{name} did not finish within {timeout:g} s.",
                         hint="Check the charger's connection and try again.")
        self.name = name
        self.timeout = timeout
