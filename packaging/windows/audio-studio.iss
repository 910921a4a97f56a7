; Inno Setup script: turns the PyInstaller folder dist\audio-studio into an installer.
; Build on Windows after `packaging\build` (see packaging/README.md):
;   iscc /DAppVersion=0.1.0 packaging\windows\audio-studio.iss
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{F64E48D7-6AF5-40B3-A3F4-FA51807C2925}
AppName=Audio Studio
AppVersion={#AppVersion}
AppPublisher=Audio Studio developers
DefaultDirName={autopf}\Audio Studio
DefaultGroupName=Audio Studio
OutputDir=..\..\dist
OutputBaseFilename=AudioStudio-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\audio-studio.ico
LicenseFile=..\..\LICENSE
Compression=lzma2/max
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog

[Files]
Source: "..\..\dist\audio-studio\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Audio Studio"; Filename: "{app}\audio-studio.exe"
Name: "{autodesktop}\Audio Studio"; Filename: "{app}\audio-studio.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\audio-studio.exe"; Description: "Start Audio Studio"; Flags: nowait postinstall skipifsilent
