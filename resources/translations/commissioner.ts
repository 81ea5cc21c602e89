<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name></name>
    <message>
        <source>Port {0} on {1} is already in use by another program.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close that program or choose another port in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger {0} is not connected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the charger&apos;s backend URL points at this laptop and that it is powered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} did not answer {1} within {2:g} s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger may be busy or offline; check its connection and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger refused {0}: {1}{2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} was not sent: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct the marked fields and send again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected error: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>password_dialogs</source>
        <comment>This CSMS (local)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>password_dialogs</source>
        <comment>Operator&apos;s backend</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>password_dialogs</source>
        <comment>Operator&apos;s backend (in its network profile)</comment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ActionBox</name>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop waiting; what the charger already took stays (Clear undoes a limit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} The action stopped half way: run it again once the charger is back (what it already took stays).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ArrayGroup</name>
    <message>
        <source>Add entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at least {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at most {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No entries: not sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No entries.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too few entries: at least {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too many entries: at most {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ArrayItem</name>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove this entry</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BackendDialog</name>
    <message>
        <source>Set backend URL and id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger connects to this OCPP backend after a reboot. Give the URL as the charger&apos;s manual writes it (ws:// or wss://).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backend URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This profile cannot set the charger id over the console.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reboot afterwards, so it connects there now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backend URL must start with ws:// or wss://.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger id must not be empty nor contain / : # ? or spaces.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BalanceBox</name>
    <message>
        <source>Site load balancing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The supply all the ticked chargers share, amperes per phase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share and check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each ticked charger gets an equal share as its maximum; then three readings of each say whether the sum stayed within the site limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear their limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the chargers on this supply (start a charge on them to see the limit held).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected chargers: tick those that share the site limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sharing {0:g} A among {1} charger(s), then reading their meters…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No charger drew current: start a charge on them and check again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clearing the limits…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ClearChargingProfile: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BatchDialog</name>
    <message>
        <source>Update several chargers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Install {0} on the chargers ticked below:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} · OCPP {1} · firmware {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many chargers download at the same time (the site&apos;s link is shared)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at a time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start updates</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BoolField</name>
    <message>
        <source>true</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>false</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not sent)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChargerDetail</name>
    <message>
        <source>Compliance warnings: what this charger does differently from the OCPP spec</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strict compliance checks for this charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strict: frames that break the OCPP schema are refused with a CallError.
Tolerant: they are accepted and recorded as compliance warnings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Power</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session energy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meter updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget this charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove it from the list; its messages stay in the log. It comes back if it connects again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live values from the charger&apos;s MeterValues</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 = the whole charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start a test charge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote start with the test tag {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sto&amp;p the charge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote stop of the running session, by its transaction id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make unavailable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock connector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check and reboot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask for a heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TriggerMessage Heartbeat: shows the charger answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask for its status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TriggerMessage StatusNotification: refreshes the connector states</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the m&amp;eter now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TriggerMessage MeterValues for the chosen connector: live values without waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reboot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Soft reset (1.6) / reset when idle (2.x)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reboot &amp;now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hard reset (1.6) / immediate reset (2.x): stops a running session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} (whole charger)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last seen: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meter register: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No charging session is running on connector {0} of {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} (connector {1}, transaction {2})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} (connector {1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: {1}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a charger in the list to see it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vendor / model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OCPP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Boot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no BootNotification yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: {1} ({2:.0f} ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>answered</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChargerListModel</name>
    <message>
        <source>{0} s ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} min ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} h ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connectors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OCPP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vendor / model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Firmware {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} compliance warning(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last message {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last seen {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last seen: {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChargingPage</name>
    <message>
        <source> (running)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Co&amp;nnector:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Time range:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last {0} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You zoomed or moved the plot: follow the newest readings again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session on this connector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Power now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Energy charged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak power</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transaction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connector status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the charger said about this connector, newest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charging sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All chargers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The time range on screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the export holds: every session and reading, or those of the time range the plot shows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xport to CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sessions and every meter value as CSV (and JSON), into a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CSMS is not running: no charging history to show.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the port in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>EVSE {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No meter values from this connector yet: start a charge (Test charge tab).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ended {0}{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newest reading {0} · drag to pan, wheel to zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No status from this connector yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No charging session seen on this connector.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Charging session running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last session ended {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— (ended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export sessions and meter values to a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} session(s) exported: {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CommissionPage</name>
    <message>
        <source>Checklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a commissioning of this charger with the chosen checklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run automatic &amp;checks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add &amp;photo…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Breaker, cable entry, installed unit, rating label: copied into the run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Si&amp;gn…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signatures of the technician and the customer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as checklist…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new checklist with this run&apos;s steps; its entries become the hints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xport report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the PDF, the JSON and the OCPP trace, then open the PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%v of %m steps done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only what is left or failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide the steps that passed, are skipped or do not apply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selected step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Fail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;kip…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run step &amp;again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do this automatic check again (what it left on the charger is undone first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a charger to commission it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No commissioning of {0} yet: choose a checklist and press New run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run {0} ({1}): {2} to do, {3} failed · {4} photo(s) · signed by: {5}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nobody yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic checks are running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger is not connected: the automatic checks wait for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entered by you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs someone at the charger: press Check now, then hold the test tag at the reader (within {0} s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An automatic check: Run automatic checks does it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>limit {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Check now (at the charger)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} has an unfinished run ({1}). Start a new one? The old one stays in the list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold a card listed as Blocked in the test tags at the charger&apos;s reader now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold a card listed as Accepted in the test tags at the charger&apos;s reader now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold the test tag at the charger&apos;s reader now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No charger selected, or the CSMS is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Commission page is running checks on this charger: wait for them to end.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The “Test charge” checklist is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reinstall Commissioner (resources/checklists/test-charge.toml).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger changed meanwhile: see the Commission page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: automatic checks done, run {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} step(s) still to do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip a step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why is “{0}” skipped?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as checklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name of the new checklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} ({1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checklist “{0}” saved in {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add photos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.heic *.webp)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What do they show?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} photo(s) added: {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who signs?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed by {0} ({1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the report of run {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report written: {0} ({1}), with {2} and {3}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConfigurePage</name>
    <message>
        <source>Filter settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Read from charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read every setting again from the charger (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compared with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a charger to see its configuration.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is not connected: the settings below are the last ones read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is not connected: its configuration can be read once it connects.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not read yet: press Read from charger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} settings, read {1}. Double-click a value (or select it and type) to change it; Enter sends it to the charger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the configuration of {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> ({0:.0f} ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GetConfiguration: {0} keys{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: {1} variables in {2} part(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Incomplete report: part(s) {0} never arrived, so some settings are missing below. Press Read from charger to request the report again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the configuration: {0} of {1} part(s) received…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>can change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read-only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allowed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set it with New password… below: the CSMS then expects it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: {0} is still running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change a setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: set {1} to “{2}”?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting {0} to “{1}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is now “{1}” ({2}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: the charger accepted “{1}” ({2}) but did not report the value back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It takes effect after a reboot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionPanel</name>
    <message>
        <source>Connect the charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the CSMS URL to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the URL with the charger ID, the QR code and the network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The laptop&apos;s address on the network the charger is on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charge point identity configured in the charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSMS URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full URL with charger ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File server (firmware downloads, log uploads)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger cannot connect? The charger connects to this laptop, so the laptop&apos;s firewall must let it in: allow Commissioner on private networks (Windows: “Allow access”; macOS: “Allow incoming connections”), and put the charger and the laptop on the same network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listening: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSMS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File server: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File server not running: {0} — {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the CSMS is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It starts with the CSMS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b style=&apos;color:#2e7d32&apos;&gt;Listening on port {0}&lt;/b&gt; — enter this URL as the charger&apos;s OCPP backend:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b style=&apos;color:#b26a00&apos;&gt;No network connection.&lt;/b&gt; Listening on port {0}, but only this laptop can reach it. Connect the laptop to the charger&apos;s network (Ethernet or Wi-Fi), then press Refresh addresses.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConsolePage</name>
    <message>
        <source>Serial / USB console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plug in the USB adapter, or type e.g. COM3, /dev/ttyUSB0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None: raw terminal only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Baud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data bits, parity, stop bits, flow control</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open terminal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1. Connect the USB serial adapter to the charger&apos;s service port.
2. Pick its port and the charger&apos;s profile above (the demo charger has a console too).
3. Read settings, or Point it at this laptop: the charger then connects to this CSMS.
Open terminal to type the console&apos;s own commands.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a command; Enter sends it, ↑/↓ go through the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local echo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show what you send, for a console that does not echo it back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add log to the run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep this console session with the run open on the Commission page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point it at this laptop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set the backend URL to this laptop&apos;s CSMS, then reboot: the charger connects here and the window follows it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set backend URL and id…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set network…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reboot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>default password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>serial {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not in the system&apos;s port list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No serial port found yet: plug in the USB adapter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close terminal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session log: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session is logged to the data folder once it starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick the port first: plug in the USB adapter, or type its name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the charger&apos;s profile to read and set its settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The port list cannot be read: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plugged in: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unplugged: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the port and the charger&apos;s profile first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the settings over the console…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read {0} settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CSMS is not running, so there is nothing to point it at.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix the port in Settings first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pointing the charger at this laptop…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set {0}. The charger is rebooting{1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; waiting for {0} to connect here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set {0}. It applies after a reboot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reboot the charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reboot the charger now? A charging session on it ends.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rebooting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger is rebooting ({0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No run is open to keep the console log in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start or open a run on the Commission page, then add the log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console session has no log yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the terminal or read the settings first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serial console session ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console log is kept with run {0} of {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} connected to this laptop.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} connected to this laptop after its console set it up.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Commissioner ran into a problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong inside Commissioner. Your recorded data is safe: every frame is already in the journal.
Please send the log file below to support.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DiagnosticsPage</name>
    <message>
        <source>Ask the charger for a log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Get diag&amp;nostics log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Get s&amp;ecurity log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How the charger sends the file to this laptop; most chargers only do FTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unticked: the whole log the charger keeps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files received from this charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O&amp;pen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the file with the program the system uses for it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in folde&amp;r</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conten&amp;ts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the files inside the archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach to r&amp;un</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep a copy with this charger&apos;s open commissioning run, for its report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inside the archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The time range ends before it starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the later time on the right, or untick Only from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received from the charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PARTIAL: the upload broke off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} cannot be read as an archive: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A partial upload cannot be unpacked; get the log again. Otherwise open it with Open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(a single file, not an archive)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No commissioning run of {0} is open: the file was not attached.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start one on the Commission page (New run), then attach the file again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger log {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is attached to run {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a charger to get its logs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is not connected: its files received before are listed below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for {0} to upload its log to this laptop…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger uploads the log to this laptop&apos;s file server; it appears in the list below.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <source>No charger connected yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1. Connect this laptop to the charger&apos;s network.
2. Enter the CSMS URL from the panel on the left as the charger&apos;s OCPP backend.
3. The charger appears here as soon as it connects.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No hardware at hand? Start a built-in demo charger:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start demo charger (OCPP {0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger is not online yet? Set it up over its serial/USB console:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the serial console</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EnumField</name>
    <message>
        <source>(not sent)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>required: choose a value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be one of {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} (not allowed)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FirmwarePage</name>
    <message>
        <source>Firmware library (on this laptop) — drop image files here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add fi&amp;rmware…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy an image file into the library (its SHA-256 is computed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit version…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The version the charger must report after the update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computing SHA-256…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Update this charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Update &amp;several…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel upda&amp;te</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop following this update and stop serving the image to the charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel &amp;pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop the chargers of the batch that have not started yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updates of this charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no version)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add firmware to the library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Firmware images (*.bin *.img *.fw *.hex *.tar *.gz *.tgz *.zip *.swu *.raucb *.signed);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computing SHA-256 of {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot add {0} to the library: {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the file is readable and that the data folder&apos;s disk is not full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} added (version {1}, {2}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not known: set it with Edit version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only files can be added, not folders.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop the image file itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version of {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The version the charger reports after installing {0}:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove firmware</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove {0} ({1}) from the library? The file is deleted from the data folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} (version {1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Update firmware</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Install {0} on {1}? The charger downloads it, installs it and reboots: charging stops for a few minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No charger is connected: there is nothing to update.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chargers appear in the list once they connect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating {0} charger(s), {1} at a time…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch finished: {0} of {1} verified.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Firmware batch: {0} of {1} verified.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} charger(s) will not be updated: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none was waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Served to the charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} · {1} → {2} · {3}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The library is empty: add the image file from the charger&apos;s vendor with Add firmware… or drop it on this page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a charger to update it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is not connected: it can be updated once it is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the image to install in the library above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} runs firmware {1}. Update installs {2}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FrameLogModel</name>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Direction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BAD FRAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who sent the frame: the charger (to the CSMS) or the CSMS (to the charger)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How long the answer took, in milliseconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>charger → CSMS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSMS → charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bad frame: not valid OCPP-J</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning: {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HandoverPanel</name>
    <message>
        <source>Hand over to the operator&apos;s backend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The operator&apos;s OCPP address without the charger id: the charger adds it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator &amp;URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0: no password, no TLS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1: password (basic auth)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2: TLS + password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3: TLS + client certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Security &amp;profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Vendor profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the charger&apos;s URL key, from its manual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the operator&apos;s password for this charger (empty: keep its own)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent masked, never stored in a file or the message log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pass&amp;word</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>charger id at the operator (empty: the same)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check from this laptop that the address resolves and answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Hand over…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the address, restart the charger and check that it stays with the operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key names from: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hand over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point {0} at {1} and restart it?
It leaves this laptop&apos;s CSMS; if it cannot reach the operator it comes back here and the reason is shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handing {0} over…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handing {0} over to {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>JobView</name>
    <message>
        <source>charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>file server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commissioner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked the charger; waiting for it to contact the file server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger is fetching the image from this laptop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger will download at the time it was given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading: keep the charger powered and connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger paused the download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file server sent the whole image; waiting for the charger to check it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloaded; the charger installs it next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signature verified; the charger installs it next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger will install at the time it was given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installing: the charger reboots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installing: do not switch the charger off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installed; waiting for the charger to report its new version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger is away (rebooting?): waiting for it to come back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger is back: asked for the status again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger rebooted: checking the version it reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger accepted: waiting for it to upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger reached the file server: uploading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger says the upload is done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file arrived</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only part of the file arrived</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} · started {1}, finished {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✗ </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Firmware update to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Security log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnostics log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled. {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>about {0} min {1} s left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>about {0} s left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: {1} of {2} ({3} %)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LimitBox</name>
    <message>
        <source>Current limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Amperes per phase; an EV needs at least 6 A (IEC 61851-1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whole charger: its maximum profile; a connector: its default transaction profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Set limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check meter values</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>During a charge: do Current.Import readings stay within the limit?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ClearChargingProfile: the limit Commissioner set goes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List profiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OCPP 2.x GetChargingProfiles: every profile the charger holds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>During a charge: do Current.Import readings stay within the limit set here?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set a limit first: the readings are judged against the limit the charger took</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>EVSE {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whole charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading three meter values against the {0:g} A limit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connector {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SetChargingProfile for two hours (Clear limit ends it sooner), then GetCompositeSchedule to see the charger took it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting {0:g} A on {1}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clearing the limit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ClearChargingProfile: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ClearChargingProfile: {0}: the charger holds no limit set by Commissioner.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking for the charger&apos;s charging profiles…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LineSettingsDialog</name>
    <message>
        <source>Line settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data bits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Even</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Odd</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop bits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flow control</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LivePlot</name>
    <message>
        <source>Power kW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voltage V</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Energy kWh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>power</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>current (no phase given)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offered (limit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>voltage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>meter register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger&apos;s energy meter register</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <source>All chargers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the frames of one charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show one OCPP action (request and answer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Both directions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who sent the frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>→ CSMS (sent by chargers)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>← CSMS (sent to chargers)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CALLERRORs, frames that are not valid OCPP-J, and frames with compliance warnings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search in frames (Ctrl+F)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow newest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the newest frame in view as frames arrive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save every frame matching the filters, with full payloads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON Lines (.jsonl)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (.csv)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a frame to see it in full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>… (cut here; export the frame to see all of it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} → CSMS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSMS → {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>answered in {0:.1f} ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>message id {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not valid JSON: shown as received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only charger {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only action {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} frames shown (of {1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>loading older frames…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only the newest are kept here; Export includes all matching frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} frames exported to {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Commissioner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger &amp;list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Co&amp;mmission</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confi&amp;gure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Securit&amp;y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Firm&amp;ware</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D&amp;iagnostics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cha&amp;rging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Co&amp;nsole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mess&amp;ages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;dvanced: any OCPP message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Chargers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start demo charger (OCPP 1.6)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start demo charger (OCPP 2.0.1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop demo chargers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serial console…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All chargers&apos; messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Commissioner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commissioner {0}
Bring EV chargers into service over OCPP.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CSMS is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSMS listening on port {0} · {1} charger(s) connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the port in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo charger {0} is connected (boot {1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} tried to connect and was refused: {1} (HTTP {2}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} commissioning run(s) not finished: {1}. Show opens it on the Commission page, to carry on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo chargers need the CSMS to be running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix the port in Settings first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo charger {0} (OCPP {1}) is connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: {1} compliance checks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>strict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tolerant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} demo charger(s) stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart the CSMS?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving these settings restarts the CSMS, which stops the security upgrade of {0} under way. The charger keeps what it took so far (see the steps on its Security page). Save anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings not saved: the upgrade goes on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applying settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings saved; the CSMS now listens on port {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings saved and applied; chargers stay connected (port {0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit Commissioner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A charging session is running on {0}. Quitting stops the CSMS: the charger loses its backend connection. Quit anyway?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NetworkDialog</name>
    <message>
        <source>Set network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the fields you fill in are sent; the charger applies them after a reboot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wi-Fi network (SSID)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wi-Fi password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mobile APN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IP address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Netmask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(leave as it is)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DHCP (automatic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Static</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill in at least one field.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is not an IPv4 address (e.g. 192.168.1.50).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is not a netmask (e.g. 255.255.255.0).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A static address needs the IP address and the netmask.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the Wi-Fi network (SSID) with its password.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ObjectGroup</name>
    <message>
        <source>Not sent. Tick the box to fill it in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No fields: sent as {}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReportChoice</name>
    <message>
        <source>Read:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full inventory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configuration inventory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report with criteria…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What Read from charger asks for (OCPP 2.x): every variable, only the ones that can be set, or those meeting criteria or of one component</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Criteria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Component, e.g. OCPPCommCtrlr</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A report with criteria needs a criterion or a component.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick Active, Available, Enabled or Problem under Criteria, type a component name, or choose Full inventory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>criteria {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>component {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Criteria: {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsDialog</name>
    <message>
        <source>Template “{0}”: check only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template “{0}”: results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>already so</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wanted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check only, nothing was sent: {0} change(s) would be made on {1} charger(s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} of {1} change(s) confirmed by reading back; {2} charger(s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to change: every setting already matches.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} value(s) do not fit their setting and are not sent (see Why).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed on {0}: see the last line of each, then read it again and retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write {0}: {1}. Pick another folder.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchemaForm</name>
    <message>
        <source>Bold * = required. Hover a name to read what the field means.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This operation has no fields.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SecurityPage</name>
    <message>
        <source>This laptop&apos;s certificate authority (built-in CA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SHA-256 fingerprint: once the CA is on the charger, its web page or log shows its CSMS root&apos;s fingerprint — it must match this one:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Co&amp;py</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the fingerprint (colon-separated) to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xport CA certificate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the CA certificate (never its key) as PEM or DER, for a charger that is given its CA by hand (USB stick, its web page)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the CA again (after unlocking the keyring, say)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This charger&apos;s security profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow a lowe&amp;r profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let this charger connect with a lower profile again (after a factory reset, or to hand it to a backend without TLS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upgrade to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Upgrade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Install the CA, give the charger what the profile needs, set it, and see it reconnect with it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop waiting for this upgrade (what the charger took stays: look at the steps, then read its profile again)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificates on the charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read li&amp;st</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the charger which certificates it holds (GetInstalledCertificateIds)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I&amp;nstall this CSMS&apos;s CA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>InstallCertificate: the charger then trusts this laptop over wss://</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Install manufactur&amp;er root…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>InstallCertificate ManufacturerRootCertificate from a PEM file: the root its signed firmware is checked against</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dele&amp;te…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DeleteCertificate: the selected one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓: this CSMS&apos;s own CA (the built-in one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Its security events (newest first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed TLS connections (by address)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A charger missing from the list may be here: wss:// to the plain port, this CA not trusted, a bad client certificate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger&apos;s id is only known once TLS succeeds, so these are listed by the address they came from, on every charger&apos;s page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CSMS is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the port in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read list asks the charger which certificates it holds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject: {0} · valid until {1}
Kept in {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chargers on profile 2 or 3 connect to (then the path and the charger id; Upgrade sets it):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS is off — turn it on in Settings (Security) for profiles 2 and 3 (wss://).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CA&apos;s fingerprint is on the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM certificate (*.pem *.crt)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DER certificate (*.der *.cer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the CA certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA certificate saved as {0} ({1}). Give it to the charger as its CSMS root certificate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a charger to see its security profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected with security profile &lt;b&gt;{0}&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected. It last connected with security profile &lt;b&gt;{0}&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lowest it may connect with now: profile {0}. It reached it here, so a lower one is refused (no downgrade).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any profile is admitted for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It may come back with a lower profile too: demo chargers, and chargers allowed a lower profile, are not held to no-downgrade.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings admit profile {0} or higher for every charger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  [TLS off]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(already at the highest profile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow a lower profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let {0} connect with a profile lower than {1} again?

This is a risk: anyone who can reach this laptop could then pretend to be {0} without TLS or without its certificate — the very downgrade the no-downgrade rule stops. Only do it for a charger that was factory reset, or that must be handed to a backend without TLS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} may now connect with a lower security profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upgrading to profile {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The upgrade was stopped. Done before it stopped: {0}. The charger keeps what it took; its profile is read again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>under way…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger restarts on the way: it shows as disconnected for a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each step of an upgrade is listed here with the charger&apos;s answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The list could not be read: see the message above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} certificate(s). </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This CSMS&apos;s CA is installed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This CSMS&apos;s CA is not installed: the charger cannot use wss:// to this laptop yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ ours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} installed this CSMS&apos;s CA ({1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manufacturer root certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} cannot be read as a PEM certificate: {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the manufacturer&apos;s root certificate (text starting with -----BEGIN CERTIFICATE-----).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} installed the manufacturer root from {1} ({2}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>

It is this CSMS&apos;s CA: without it the charger cannot connect to this laptop over wss://.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete a certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete {0} from {1}?{2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} deleted {1} ({2}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received {0}; the charger&apos;s time: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None yet: the charger sends them by itself. Its whole security log: Diagnostics → Get security log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect the charger first: an upgrade talks to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile {0} needs TLS: Settings → Security → Listen on wss://, then upgrade.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SendOperationPanel</name>
    <message>
        <source>Select a connected charger to send it an operation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operations this charger&apos;s OCPP version lets the CSMS send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Operation:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset to defaults</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace the request with the minimal valid example</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the request to the charger (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing sent yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent (newest first, double-click to send again)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load the selected request into the form and send it again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing sent to {0} yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To charger {0} · OCPP {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The raw JSON is not valid: {0} (line {1}, column {2}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The raw JSON must be an object: {…}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix it to send.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent. Correct the marked fields:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>… and {0} more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That request was for OCPP {0}; this charger speaks OCPP {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send {0} to {1}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} was not sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for {0} to answer {1}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ {0} answered {1} in {2} ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>status: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✗ {0} did not do {1}: it answered {2} (after {3} ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✗ {0} refused {1}: CALLERROR {2} (after {3} ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error code: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CALLERROR {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer (timeout)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSMS server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0.0.0.0 listens on every network interface of this laptop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Built-in file server (firmware downloads, log uploads)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serve firmware and receive logs (HTTP and FTP)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chargers upload logs over FTP most often; the firewall must let it in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FTP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changing these restarts the CSMS: connected chargers reconnect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answers to chargers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BootNotification status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeat interval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tolerant: accept schema violations, record a warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strict: answer schema violations with a CallError</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compliance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which chargers may connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any charger (auto-accept)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the charger IDs below (one per line)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Security (TLS and certificates)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen on wss:// (TLS) too, for security profiles 2 and 3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger&apos;s URL then starts wss://&lt;this laptop&gt;:&lt;port&gt;/; the firewall must let it in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 — any charger (no password, no TLS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 — a password at least (basic auth)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2 — TLS and a password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3 — TLS and a client certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chargers connecting with a lower profile are refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lowest profile admitted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: in the data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the built-in CA lives (ca.pem beside its protected key); another folder makes a new CA there unless one is in it already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: not checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile 3: the organisation (O=) a charger&apos;s certificate must carry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator name (O=)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept an expired charger certificate only to renew it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off unless a charger&apos;s certificate ran out and must get a new one; it may then only ask for its certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changing these restarts the CSMS: chargers reconnect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The lowest profile and the operator name apply at once (unless the profile turns TLS on)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On: profiles 2 and 3 are the lowest admitted, and they are TLS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder of the built-in CA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen address must be an IP address such as 0.0.0.0 or 192.168.1.20.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSMS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The {0} port {1} is already the {2} port: give each its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The TLS port {0} is already the {1} port: give each its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA folder must be a full path (such as {0}), or empty for the data folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator name must be at most 64 printable characters (a certificate&apos;s O=).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter at least one charger ID, or choose “Any charger”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <source>Signature: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full name (required)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>Sign here with the mouse, a finger or a pen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StoredPasswordsDialog</name>
    <message>
        <source>Stored passwords</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the keyring…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checked by this CSMS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reveal the selected password (hidden again with Hide)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the selected password to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Forget…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the selected password from this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept in this computer&apos;s keyring: they survive a restart of Commissioner.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer has no keyring: these passwords are kept only until Commissioner closes. Write down the ones you need.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No passwords are stored. “New password…” and a handover with the operator&apos;s password keep theirs here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}&apos;s password is on the clipboard for {1} s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CSMS then no longer asks {0} for it: it is let in with the shared password, or without one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger and the CSMS are not changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget a password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget {0}&apos;s password ({1}) on this computer?

It cannot be shown again afterwards. {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}&apos;s password is forgotten.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TagsPanel</name>
    <message>
        <source>Test tags (RFID cards)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CSMS answers these cards as set here; any other card gets the policy&apos;s answer (Settings: accept every tag, or only those listed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CSMS answers from these tags at once; kept in the settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full replaces the charger&apos;s local list; only the changes is a differential update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send to charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SendLocalList: the charger can then answer these cards itself, offline too</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold at the demo charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo charger reads the selected card as if it were held at its reader: the RFID checklist steps without a real card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the CSMS answers this card (1.6 chargers get Invalid for a 2.x-only answer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. 2027-01-31T23:59:00Z; once past, an Accepted card is answered Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1.6 parentIdTag / 2.x groupIdToken: cards of one group may stop each other&apos;s sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Row {0}: {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct the row, or remove it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved: the CSMS answers {0} listed tag(s) as set here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending {0} tag(s) to {1}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>full list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} took the {1}: {2} tag(s), list version {3} ({4}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test tags sent to {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Holding {0} at {1}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} was held at {1}: it ended its own session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} was held at {1}: the CSMS answered Accepted and a session began (hold it again to end it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} was held at {1}: the CSMS answered {2}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No session began: every connector is busy or unavailable.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TemplateDialog</name>
    <message>
        <source>Apply a configuration template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left out (fix or remove the file): {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now on {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template wants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Will set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply to these connected chargers (same OCPP version):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select &amp;all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Check only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the chosen chargers and show what would change on each; nothing is sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dry run on the settings read: {0} change(s), {1} already so, {2} cannot be changed. Nothing is sent until you press Apply; each charger is read first, so the plan is made again on its own values. Check only shows that plan for every charger chosen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TestChargeBox</name>
    <message>
        <source>Test charge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connector (1.6) or EVSE (2.x) to charge on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The id token the remote start names; the CSMS answers it from the test tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start &amp;test charge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote start, wait for Charging and rising energy, stop; the result becomes the run&apos;s test-charge step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charging {0} on connector {1} with tag {2}…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TextField</name>
    <message>
        <source>whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>number, e.g. 16.5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>UTC, e.g. 2026-01-31T12:00:00Z</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill in the current time (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>text, up to {0} characters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>text or JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}, {1} to {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}, {1} or more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be a whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be a number, e.g. 16.5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be a finite number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be a date-time like 2026-01-31T12:00:00Z</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at most {0} characters (now {1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at least {0} characters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be {0} or more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be {0} or less</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <source>Test charge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site load balancing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test tags</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ToolsBar</name>
    <message>
        <source>Re&amp;boot and read again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take &amp;snapshot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Store the settings on show, with the time, to compare later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only differences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply &amp;template…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>See what a template would change, then change it on one or more chargers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export / import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export settings as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export settings as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import a snapshot (JSON or CSV)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New &amp;password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give this charger a password of its own; the CSMS then expects it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored pass&amp;words…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chargers&apos; passwords kept on this computer: show, copy, forget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— nothing —</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snapshot {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template file(s) left out: {0}. Fix or remove them; the other templates are listed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not there)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} setting(s) differ from the snapshot of {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not on the charger now: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} of {1} setting(s) of “{2}” are not met.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger does not have: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That template is gone: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}: snapshot of {1} settings stored ({2}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings written to {0} (passwords masked).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import a snapshot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snapshots (*.json *.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snapshot {0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no template for OCPP {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put a TOML template in the data folder&apos;s config-templates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking “{0}” on {1} charger(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applying “{0}” to {1} charger(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{0}”: {1} of {2} change(s) confirmed on {3} charger(s){4}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; failed on {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give {0} a new password of its own?

The CSMS then accepts only that password from {0}. It is kept in this computer&apos;s keyring, never in a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting a new password on {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} takes the change after a reboot. Reboot it now? Commissioner waits for it to come back and reads the settings again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reboot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reboot {0} now? A charging session on it is let finish first (OCPP 2.x), or ended (1.6).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rebooting {0} and reading again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} rebooted and its settings were read again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UpdateOptions</name>
    <message>
        <source>Update options</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How the charger downloads the image from this laptop; try the other one if the download fails</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unticked: the charger downloads now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>charger&apos;s default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Workspace</name>
    <message>
        <source>No charger selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● connected · OCPP {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>○ disconnected · last seen {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <source>New password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}&apos;s password is now:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>password_dialogs</name>
    <message>
        <source>New password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set a new password anyway?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>widget</name>
    <message>
        <source>Test charge {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test charge passed: {0} in {1}, peak {2} (recorded in the run).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger holds no charging profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#{0} {1} on EVSE {2}, stack level {3}: {4} {5}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not sent: the value does not fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>already so</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>charger has no such setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read-only: cannot change</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
