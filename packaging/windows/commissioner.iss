; Inno Setup script: dist\Commissioner (the PyInstaller one-folder bundle) -> a Windows installer.
;
;   iscc /DAppVersion=0.1.0 /DAppNumericVersion=0.1.0.0 packaging\windows\commissioner.iss
;   iscc /DAppVersion=0.1.0 /DAppNumericVersion=0.1.0.0 "/DSignTool=signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f" ...
;
; AppVersion is the full version (0.2.0rc1, 1.0.0.dev3) shown to people; Windows' binary version
; info takes only up to four numbers, so AppNumericVersion carries those (0.2.0.0, 1.0.0.0).
;
; Signed-ready: pass SignTool (Inno's "$f" is the file to sign) and both the installer and the
; uninstaller are signed; sign dist\Commissioner\*.exe before running iscc (see .github/workflows).

#define AppName "Commissioner"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef AppNumericVersion
  #define AppNumericVersion "0.1.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\Commissioner"
#endif
#define FirewallRule "Commissioner (OCPP chargers)"

[Setup]
AppId={{5B7E2C1D-8A44-4F0B-9E3A-0C6F1D2B7A91}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Commissioner
VersionInfoVersion={#AppNumericVersion}
VersionInfoTextVersion={#AppVersion}
VersionInfoDescription=Commissioner installer
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir=..\..\dist\installer
OutputBaseFilename=Commissioner-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\commissioner.ico
UninstallDisplayIcon={app}\Commissioner.exe
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Technicians often lack admin rights: a per-user install works too (no firewall rule then;
; Windows asks on first start instead).
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"
Name: "spanish"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "dutch"; MessagesFile: "compiler:Languages\Dutch.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "firewall"; Description: "Allow chargers on private networks to connect to Commissioner (Windows Firewall rule)"; Check: IsAdminInstallMode

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\Commissioner.exe"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\Commissioner.exe"; Tasks: desktopicon

[Run]
; The charger connects *to* the laptop: incoming TCP must be allowed (private networks only).
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall add rule name=""{#FirewallRule}"" dir=in action=allow program=""{app}\Commissioner.exe"" profile=private enable=yes"; Flags: runhidden; Tasks: firewall
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall add rule name=""{#FirewallRule}"" dir=in action=allow program=""{app}\commissioner-cli.exe"" profile=private enable=yes"; Flags: runhidden; Tasks: firewall
Filename: "{app}\Commissioner.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall delete rule name=""{#FirewallRule}"""; Flags: runhidden; RunOnceId: "RemoveFirewallRule"

[UninstallDelete]
; Only what the app caches next to itself; the technician's journal and settings in the user data
; folder are theirs and stay.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
