; Installer of the rmdemo app for the Inno Setup end-to-end test (tools/e2e-inno.sh).
; Compile with Inno Setup 6.4.1's ISCC, once per version:
;   ISCC /DAppVersion=1 /DAppBinDir=<folder holding rmdemoapp.exe v1> /O<output folder> rmdemo.iss
; The upgrade (version 2) must close the running v1 app through the Restart Manager, replace
; it and restart it.

#ifndef AppVersion
  #define AppVersion "1"
#endif
#ifndef AppBinDir
  #define AppBinDir "..\..\build\e2e\v" + AppVersion
#endif

[Setup]
AppId={{C69566C4-C62C-403E-8BE3-C50CB35E2D72}
AppName=rmdemo
AppVersion={#AppVersion}
AppPublisher=The rstrtmgr authors
; {autopf} fails on Wine 8.0 in non-admin installs: install per user.
DefaultDirName={localappdata}\rmdemo
PrivilegesRequired=lowest
DisableDirPage=yes
DisableProgramGroupPage=yes
DisableReadyPage=yes
DisableFinishedPage=yes
CloseApplications=yes
RestartApplications=yes
OutputBaseFilename=rmdemo-setup-v{#AppVersion}
Compression=lzma2/fast
SolidCompression=no
WizardStyle=modern

[Files]
Source: "{#AppBinDir}\rmdemoapp.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "rmdemo-data.txt"; DestDir: "{app}"; Flags: ignoreversion
