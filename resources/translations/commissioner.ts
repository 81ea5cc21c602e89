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
        <source>Quick actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trigger heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trigger status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Get configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Soft reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hard reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 = the whole charger</source>
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
        <source>Filter configuration…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key / variable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No charger selected</source>
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
        <source>Get base report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hard-reset {0}? A running charging session will be stopped.</source>
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
    <message>
        <source>GetConfiguration: {0} keys ({1:.0f} ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base report: {0} variables in {1} part(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The charger accepted the report request but sent no complete report within {0:.0f} s; see the message log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read/write</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read-only</source>
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
</context>
<context>
    <name>ConnectionPanel</name>
    <message>
        <source>Connect the charger</source>
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
        <source>Charger cannot connect? The charger connects to this laptop, so the laptop&apos;s firewall must let it in: allow Commissioner on private networks (Windows: “Allow access”; macOS: “Allow incoming connections”), and put the charger and the laptop on the same network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh addresses</source>
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
        <source>&lt;b style=&apos;color:#2e7d32&apos;&gt;Listening on port {0}&lt;/b&gt; — enter this URL as the charger&apos;s OCPP backend:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b style=&apos;color:#b26a00&apos;&gt;No network connection.&lt;/b&gt; Listening on port {0}, but only this laptop can reach it. Connect the laptop to the charger&apos;s network (Ethernet or Wi-Fi), then press Refresh addresses.</source>
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
    <name>LogDock</name>
    <message>
        <source>OCPP frame log</source>
        <translation type="unfinished"></translation>
    </message>
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
        <source>Charger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send operation</source>
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
        <source>&amp;View</source>
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
        <source>Check the port in Settings.</source>
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
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Dismiss</source>
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
        <source>Listen address must be an IP address such as 0.0.0.0 or 192.168.1.20.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter at least one charger ID, or choose “Any charger”.</source>
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
</TS>
