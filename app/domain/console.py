"""A charger's serial console, sans-I/O: bytes in, events out, and what to send next.

The vendor profile's `[console]` section (app/services/vendors.py loads it) becomes a
`ConsoleProfile`. `Parser` turns received bytes into `Line`, `Prompt` and `Garbage` events;
`Conversation` drives a login and then get / set / reboot commands on top of it, saying which
bytes to write (`outgoing()`) and reporting outcomes (`LoggedIn`, `LoginFailed`, `Result`,
`Rejected`, `Rebooted`). No I/O, no threads, no clock: the serial service (or a test with a
recorded transcript) reads, writes and keeps time, as websockets' protocol.py does.
"""

from __future__ import annotations

import codecs
import collections
import dataclasses
import re

PARITIES = ("N", "E", "O", "M", "S")
FLOW_CONTROLS = ("none", "rtscts", "xonxoff", "dsrdtr")


@dataclasses.dataclass(frozen=True)
class LoginStep:
    expect: re.Pattern[str]  # what the console shows (a line or the unterminated tail)
    send: str  # a template: {user}, {password}
    secret: bool = False  # never written to the session log


@dataclasses.dataclass(frozen=True)
class ConsoleSetting:
    get: str = ""  # command template; "" = write-only (a password)
    value: re.Pattern[str] | None = None  # a line of the answer to `get`, with a `value` group
    set: str = ""  # command template with {value}; "" = read-only
    ok: re.Pattern[str] | None = None  # a line of the answer to `set` that means success
    error: re.Pattern[str] | None = None  # a line that means refused (besides the console-wide one)
    secret: bool = False  # the value is a secret: never logged


@dataclasses.dataclass(frozen=True)
class ConsoleProfile:
    baud: int = 115200
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    flow_control: str = "none"
    line_ending: str = "\r\n"
    wake: str = "\r\n"  # sent first, to make the console show its login or prompt
    prompt: re.Pattern[str] = re.compile(r"[#>$] ?$")
    user: str = ""
    default_password: str = ""
    login: tuple[LoginStep, ...] = ()
    login_failed: re.Pattern[str] | None = None
    error: re.Pattern[str] | None = None  # a line that means "command refused"; a `message` group if any
    settings: dict[str, ConsoleSetting] = dataclasses.field(default_factory=dict)
    reboot: str = "reboot"
    logout: str = ""  # sent when a session ends, so the next one starts at the login again
    reboot_expect: re.Pattern[str] | None = None
    timeout: float = 5.0  # seconds to wait for an answer


# -- events -----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Line:
    text: str


@dataclasses.dataclass(frozen=True)
class Prompt:
    """The unterminated tail matched: the console waits for input (a prompt or a login step)."""
    text: str


@dataclasses.dataclass(frozen=True)
class Garbage:
    """Mostly unprintable or undecodable bytes: typically a wrong baud rate or line settings."""
    ratio: float
    sample: bytes


@dataclasses.dataclass(frozen=True)
class LoggedIn:
    pass


@dataclasses.dataclass(frozen=True)
class LoginFailed:
    text: str


@dataclasses.dataclass(frozen=True)
class Result:
    setting: str
    value: str | None  # None for a set that succeeded


@dataclasses.dataclass(frozen=True)
class Rejected:
    setting: str  # "" for reboot
    command: str  # as sent, secrets masked
    text: str  # what the charger said


@dataclasses.dataclass(frozen=True)
class Rebooted:
    text: str


Event = Line | Prompt | Garbage | LoggedIn | LoginFailed | Result | Rejected | Rebooted


class Parser:
    """Bytes -> lines, prompts, garbage. Lines end at \\n (a \\r before it is dropped)."""

    WINDOW = 64  # judge garbage over at least this many characters
    GARBAGE_RATIO = 0.3

    def __init__(self, prompts: list[re.Pattern[str]]) -> None:
        self.prompts = prompts  # patterns the unterminated tail is matched against
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._tail = ""
        self._shown = 0  # characters of the tail already reported as a Prompt
        self._seen = 0
        self._bad = 0
        self._sample = bytearray()

    def suspect(self) -> Garbage | None:
        """What was read so far is mostly unreadable, even if too little to be sure (at a timeout)."""
        if self._seen >= 8 and self._bad / self._seen > self.GARBAGE_RATIO:
            return Garbage(round(self._bad / self._seen, 2), bytes(self._sample))
        return None

    def feed(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        text = self._decoder.decode(data)
        bad = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in "\t\r\n\x1b\x08") or c == "\x7f")
        self._seen += len(text)
        self._bad += bad
        self._sample += data[:64 - len(self._sample)] if len(self._sample) < 64 else b""
        if self._seen >= self.WINDOW:
            if self._bad / self._seen > self.GARBAGE_RATIO:
                events.append(Garbage(round(self._bad / self._seen, 2), bytes(self._sample)))
            self._seen = self._bad = 0
            self._sample = bytearray()
        self._tail += text
        while "\n" in self._tail:
            line, self._tail = self._tail.split("\n", 1)
            line = line.rstrip("\r")
            self._shown = 0
            events.append(Line(line))
        tail = self._tail.lstrip("\r")
        if tail and len(tail) > self._shown and any(p.search(tail) for p in self.prompts):
            self._shown = len(tail)
            events.append(Prompt(tail))
        return events


@dataclasses.dataclass
class _Command:
    kind: str  # "get", "set", "reboot"
    setting: str
    text: str  # as sent
    shown: str  # as logged (secrets masked)
    value: str | None = None
    ok: bool = False
    answer: list[str] = dataclasses.field(default_factory=list)


class Conversation:
    """Log in, then run queued commands one at a time. Feed it what was read, write what it says.

        conversation = Conversation(profile, password)
        conversation.get("ocpp_url")
        write(conversation.outgoing())
        for event in conversation.receive(read()): ...   # Result("ocpp_url", "ws://...")

    `waiting_for` says what it waits for (for a timeout message); `log_lines()` gives the session
    as the user should see it in the log, with the password masked.
    """

    def __init__(self, profile: ConsoleProfile, password: str = "", user: str | None = None) -> None:
        self.profile = profile
        self.password = password
        self.user = profile.user if user is None else user
        self.state = "login"  # login -> ready <-> busy; failed / rebooted end it
        self._out = bytearray(profile.wake.encode())
        self._step = 0
        self._queue: collections.deque[_Command] = collections.deque()
        self._current: _Command | None = None
        self._echo: str | None = None
        self._last_prompt = ""
        prompts = [profile.prompt] + [step.expect for step in profile.login]
        self.parser = Parser(prompts)
        self._log: list[str] = [f">> {profile.wake!r}"]
        self._secrets: set[str] = set()  # secret values set in this conversation, masked in the log

    # -- commands -------------------------------------------------------------------------------

    def get(self, setting: str) -> None:
        spec = self.profile.settings[setting]
        if not spec.get:
            raise KeyError(f"{setting} cannot be read over this console")
        self._enqueue(_Command("get", setting, spec.get, spec.get))

    def set(self, setting: str, value: str) -> None:
        spec = self.profile.settings[setting]
        if not spec.set:
            raise KeyError(f"{setting} cannot be written over this console")
        text = spec.set.format(value=value)
        shown = spec.set.format(value="********") if spec.secret else text
        if spec.secret and value:
            self._secrets.add(value)
        self._enqueue(_Command("set", setting, text, shown))

    def reboot(self) -> None:
        self._enqueue(_Command("reboot", "", self.profile.reboot, self.profile.reboot))

    def _enqueue(self, command: _Command) -> None:
        self._queue.append(command)
        if self.state == "ready":
            self._next()

    @property
    def idle(self) -> bool:
        """Logged in, nothing running, nothing queued."""
        return self.state == "ready" and not self._queue

    @property
    def waiting_for(self) -> str:
        if self.state == "login":
            if self._step < len(self.profile.login):
                return f"the login step matching {self.profile.login[self._step].expect.pattern!r}"
            return f"the prompt matching {self.profile.prompt.pattern!r}"
        if self._current is not None:
            return f"the answer to {self._current.shown!r}"
        return "nothing"

    def mask(self, text: str) -> str:
        """`text` with every secret of this conversation replaced (an echoed `set password ...`)."""
        if self.password and text.strip() == self.password:
            return "********"  # a console that echoes the password as it is typed
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return text

    def outgoing(self) -> bytes:
        data, self._out = bytes(self._out), bytearray()
        return data

    def log_lines(self) -> list[str]:
        lines, self._log = self._log, []
        return lines

    def _send(self, text: str, shown: str) -> None:
        self._out += (text + self.profile.line_ending).encode()
        self._log.append(f">> {shown}")

    def _next(self) -> None:
        if not self._queue:
            self.state = "ready"
            return
        self._current = self._queue.popleft()
        self.state = "busy"
        self._echo = self._current.text
        self._send(self._current.text, self._current.shown)

    # -- input ------------------------------------------------------------------------------------

    def receive(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        for event in self.parser.feed(data):
            events.append(event)
            if isinstance(event, Line):
                self._log.append(f"<< {self.mask(event.text)}")
                events.extend(self._on_line(self._strip_prompt(event.text)))
            elif isinstance(event, Prompt):
                self._last_prompt = event.text
                events.extend(self._on_prompt(event.text))
            elif isinstance(event, Garbage):
                self._log.append(f"<< garbage ({event.ratio:.0%} unreadable): {event.sample!r}")
                self.state = "failed"
            if self.state in ("failed", "rebooted"):
                break
        return events

    def _strip_prompt(self, text: str) -> str:
        # What we typed is echoed after the prompt on the same line: "virtual> get ocpp_url".
        prompt, self._last_prompt = self._last_prompt, ""
        return text[len(prompt):] if prompt and text.startswith(prompt) else text

    def _on_line(self, text: str) -> list[Event]:
        profile = self.profile
        if self.state == "login":
            if profile.login_failed is not None and profile.login_failed.search(text):
                self.state = "failed"
                return [LoginFailed(text)]
            return self._login_match(text)
        command = self._current
        if command is None:
            return []
        if self._echo is not None and text.strip() == self._echo.strip():
            self._echo = None  # the console echoes the command
            return []
        command.answer.append(text)
        if command.kind == "reboot":
            if profile.reboot_expect is None or profile.reboot_expect.search(text):
                self.state = "rebooted"
                return [Rebooted(text)]
            return self._error(command, text)
        spec = profile.settings[command.setting]
        rejected = self._error(command, text, spec.error)
        if rejected:
            return rejected
        if command.kind == "get" and spec.value is not None:
            match = spec.value.search(text)
            if match:
                command.value = match.group("value").strip()
        elif command.kind == "set" and (spec.ok is None or spec.ok.search(text)):
            command.ok = True
        return []

    def _error(self, command: _Command, text: str, extra: re.Pattern[str] | None = None) -> list[Event]:
        for pattern in (extra, self.profile.error):
            match = pattern.search(text) if pattern is not None else None
            if match:
                message = match.groupdict().get("message") or text
                self._current = None
                self._queue.clear()
                self.state = "ready"
                return [Rejected(command.setting, command.shown, self.mask(message.strip()))]
        return []

    def _login_match(self, text: str) -> list[Event]:
        steps = self.profile.login
        if steps and self._step >= len(steps) and steps[0].expect.search(text):
            self.state = "failed"  # asked to log in again: the password was refused
            return [LoginFailed(text)]
        if self._step < len(steps) and steps[self._step].expect.search(text):
            step = steps[self._step]
            self._step += 1
            reply = step.send.format(user=self.user, password=self.password)
            self._send(reply, "********" if step.secret else reply)
            return []
        return []

    def _on_prompt(self, text: str) -> list[Event]:
        if self.state == "login":
            if self.profile.prompt.search(text) and (self._step >= len(self.profile.login) or self._step == 0):
                # Logged in (or the console needed no login: it was already open).
                self._step = len(self.profile.login)
                self.state = "ready"
                self._next()
                return [LoggedIn()]
            return self._login_match(text)
        command = self._current
        if command is None or not self.profile.prompt.search(text):
            return []
        self._current = None
        spec = self.profile.settings.get(command.setting)
        if command.kind == "get":
            if command.value is None:
                event: Event = Rejected(command.setting, command.shown,
                                        " / ".join(command.answer) or "no answer matching the profile")
                self._queue.clear()
            else:
                event = Result(command.setting, command.value)
        elif command.kind == "set":
            if command.ok or (spec is not None and spec.ok is None):
                event = Result(command.setting, None)
            else:
                event = Rejected(command.setting, command.shown, " / ".join(command.answer) or "no answer")
                self._queue.clear()
        else:  # reboot answered with a prompt, not the expected text
            event = Rejected("", command.shown, " / ".join(command.answer) or "no answer")
            self._queue.clear()
        self._next()
        return [event]
