; SealBid 密封投标 — Windows installer (NSIS 3, Unicode, Modern UI 2). See installer/README.md.
;
;   make bundle                                   (or: pyinstaller --noconfirm --clean build.spec)
;   makensis /DVERSION=0.1.0 installer\sealbid.nsi
;
; A per-user install: no administrator rights, no HKLM. The program goes to
; %LOCALAPPDATA%\Programs\SealBid, everything the installer registers is under HKCU: the
; Add/Remove Programs entry, the .sealbid file type. The uninstaller removes exactly what the
; installer put there and leaves the user's data (%APPDATA%\SealBid — the app's bids, receipts,
; uploads, drafts, settings — and %LOCALAPPDATA%\SealBid, the command line's) alone.
;
; Parameters (each overridable with /DNAME=value, or -DNAME=value with Debian's makensis):
;   VERSION     the product version                    default 0.0.0
;   BUNDLE_DIR  the PyInstaller one-folder bundle       default ..\dist\sealbid (from this file)
;   EXE         the console program (CLI) in the bundle default sealbid.exe
;   APP_EXE     the windowed app in the bundle          default sealbidw.exe
;   OUTFILE     the installer to write                  default SealBid-${VERSION}-setup.exe
;   VI_VERSION  the numeric X.X.X.X version resource    default from VERSION (suffix dropped)

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

;--------------------------------------------------------------------------------------------
; Parameters

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef BUNDLE_DIR
  !define BUNDLE_DIR "..\dist\sealbid"
!endif
!ifndef EXE
  !define EXE "sealbid.exe"
!endif
!ifndef APP_EXE
  !define APP_EXE "sealbidw.exe"
!endif
!ifndef OUTFILE
  !define OUTFILE "SealBid-${VERSION}-setup.exe"
!endif
!ifndef VI_VERSION
  ; "1.2.3-rc1" -> "1.2.3.0": the version resource takes four numbers only.
  !searchparse /noerrors "${VERSION}-" "" _SB_VNUM "-"
  !searchparse /noerrors "${_SB_VNUM}...." "" _SB_V1 "." _SB_V2 "." _SB_V3 "."
  !if "${_SB_V1}" == ""
    !define /redef _SB_V1 0
  !endif
  !if "${_SB_V2}" == ""
    !define /redef _SB_V2 0
  !endif
  !if "${_SB_V3}" == ""
    !define /redef _SB_V3 0
  !endif
  !define VI_VERSION "${_SB_V1}.${_SB_V2}.${_SB_V3}.0"
!endif

!define PRODUCT      "SealBid"
!define PRODUCT_ZH   "SealBid 密封投标"
!define PUBLISHER    "SealBid"
!define PROGID       "SealBid.SealedBid"
!define UNINST_EXE   "uninstall.exe"
!define UNINST_KEY   "Software\Microsoft\Windows\CurrentVersion\Uninstall\${PRODUCT}"
!define CLASSES      "Software\Classes"
; The bundle must be there: fail here, not with a half-empty installer.
!if /FileExists "${BUNDLE_DIR}\${EXE}"
!else
  !error "sealbid.nsi: ${BUNDLE_DIR}\${EXE} not found — run `make bundle` first, or pass /DBUNDLE_DIR=… /DEXE=…"
!endif
!if /FileExists "${BUNDLE_DIR}\${APP_EXE}"
!else
  !error "sealbid.nsi: ${BUNDLE_DIR}\${APP_EXE} not found — run `make bundle` first, or pass /DBUNDLE_DIR=… /DAPP_EXE=…"
!endif

;--------------------------------------------------------------------------------------------
; General

Name "${PRODUCT_ZH}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show
BrandingText "${PRODUCT_ZH} ${VERSION}"

VIProductVersion "${VI_VERSION}"
VIFileVersion "${VI_VERSION}"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT_ZH}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT_ZH} ${VERSION} Setup"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

;--------------------------------------------------------------------------------------------
; Pages

!define MUI_ABORTWARNING
; The installer's and uninstaller's icon: the app's own (installer/make_icon.py), beside this
; script (makensis works in the script's folder).
!define MUI_ICON "sealbid.ico"
!define MUI_UNICON "sealbid.ico"
!define MUI_UNABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "$(SB_KEEPS_DATA)"
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!define MUI_FINISHPAGE_TEXT "$(SB_UN_FINISH)"
!insertmacro MUI_UNPAGE_FINISH

; Simplified Chinese first: the language used when Windows' UI language is neither of these.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

;--------------------------------------------------------------------------------------------
; Strings

LangString SB_SEC_APP     ${LANG_SIMPCHINESE} "SealBid 密封投标（必需）"
LangString SB_SEC_APP     ${LANG_ENGLISH}     "SealBid (required)"
LangString SB_SEC_DESKTOP ${LANG_SIMPCHINESE} "桌面快捷方式"
LangString SB_SEC_DESKTOP ${LANG_ENGLISH}     "Desktop shortcut"
LangString SB_FILETYPE    ${LANG_SIMPCHINESE} "SealBid 密封投标文件"
LangString SB_FILETYPE    ${LANG_ENGLISH}     "SealBid sealed bid"
LangString SB_RUNNING     ${LANG_SIMPCHINESE} "SealBid 密封投标正在运行。请先关闭程序（包括命令行中的 sealbid），然后点击“重试”。"
LangString SB_RUNNING     ${LANG_ENGLISH}     "SealBid is running. Close it (including sealbid in a command window), then click Retry."
LangString SB_KEEPS_DATA  ${LANG_SIMPCHINESE} "将从您的电脑上卸载 SealBid 密封投标的程序文件、快捷方式和 .sealbid 文件关联。您的数据（%APPDATA%\SealBid 中的投标文件、回执、草稿和设置）不会被删除。"
LangString SB_KEEPS_DATA  ${LANG_ENGLISH}     "This removes SealBid's program files, shortcuts and the .sealbid file association from your computer. Your data (bids, receipts, drafts and settings in %APPDATA%\SealBid) is not deleted."
LangString SB_UN_FINISH   ${LANG_SIMPCHINESE} "SealBid 密封投标已卸载。您的数据仍保留在 %APPDATA%\SealBid（桌面程序的投标文件、回执、上传记录、草稿和设置）和 %LOCALAPPDATA%\SealBid（命令行 sealbid 的上传记录和回执）中；如不再需要，可手动删除。"
LangString SB_UN_FINISH   ${LANG_ENGLISH}     "SealBid has been uninstalled. Your data is still in %APPDATA%\SealBid (the app's bids, receipts, uploads, drafts and settings) and %LOCALAPPDATA%\SealBid (the sealbid command line's uploads and receipts); delete those folders yourself if you no longer need them."
LangString SB_KEPT_DETAIL ${LANG_SIMPCHINESE} "已保留用户数据：$APPDATA\SealBid、$LOCALAPPDATA\SealBid"
LangString SB_KEPT_DETAIL ${LANG_ENGLISH}     "User data kept: $APPDATA\SealBid, $LOCALAPPDATA\SealBid"

;--------------------------------------------------------------------------------------------
; Helpers

; Waits until neither program in $INSTDIR is running (the app, or the CLI in a console): a
; running executable cannot be opened for writing. Retry, or Cancel (the default when silent),
; which aborts the (un)install.
!macro SB_WAIT_NOT_RUNNING un
  Function ${un}SB_WaitFileFree  ; $R0: the file
    ${Do}
      ${IfNot} ${FileExists} "$R0"
        ${Break}
      ${EndIf}
      ClearErrors
      FileOpen $0 "$R0" a
      ${IfNot} ${Errors}
        FileClose $0
        ${Break}
      ${EndIf}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(SB_RUNNING)" /SD IDCANCEL IDRETRY +2
      Abort
    ${Loop}
  FunctionEnd
  Function ${un}SB_WaitNotRunning
    StrCpy $R0 "$INSTDIR\${APP_EXE}"
    Call ${un}SB_WaitFileFree
    StrCpy $R0 "$INSTDIR\${EXE}"
    Call ${un}SB_WaitFileFree
  FunctionEnd
!macroend
!insertmacro SB_WAIT_NOT_RUNNING ""
!insertmacro SB_WAIT_NOT_RUNNING "un."

; Tells Explorer that file associations changed (SHCNE_ASSOCCHANGED, SHCNF_IDLIST).
!macro SB_ASSOC_CHANGED
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
!macroend

;--------------------------------------------------------------------------------------------
; Install

Section "$(SB_SEC_APP)" SecApp
  SectionIn RO
  SetShellVarContext current
  Call SB_WaitNotRunning

  SetOutPath "$INSTDIR"
  ; An upgrade replaces the bundle's libraries as a whole: files of an older version that the
  ; new one no longer has must not linger in _internal.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\${UNINST_EXE}"

  ; Start menu: the windowed app (no console window behind it).
  CreateShortcut "$SMPROGRAMS\${PRODUCT_ZH}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0 \
      SW_SHOWNORMAL "" "${PRODUCT_ZH}"

  ; .sealbid, for this user only: a double click opens the app showing what the file is
  ; (section, bidder, signer, when sealed; read without a key).
  WriteRegStr HKCU "${CLASSES}\.sealbid" "" "${PROGID}"
  WriteRegStr HKCU "${CLASSES}\.sealbid\OpenWithProgids" "${PROGID}" ""
  WriteRegStr HKCU "${CLASSES}\${PROGID}" "" "$(SB_FILETYPE)"
  WriteRegStr HKCU "${CLASSES}\${PROGID}\DefaultIcon" "" '"$INSTDIR\${APP_EXE}",0'
  WriteRegStr HKCU "${CLASSES}\${PROGID}\shell\open\command" "" '"$INSTDIR\${APP_EXE}" "%1"'
  !insertmacro SB_ASSOC_CHANGED

  ; Add/Remove Programs (per user).
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${PRODUCT_ZH}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" '"$INSTDIR\${APP_EXE}",0'
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINST_EXE}"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINST_EXE}" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "$(SB_SEC_DESKTOP)" SecDesktop
  SetShellVarContext current
  CreateShortcut "$DESKTOP\${PRODUCT_ZH}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0 \
      SW_SHOWNORMAL "" "${PRODUCT_ZH}"
SectionEnd

Function .onInit
  SetShellVarContext current
FunctionEnd

;--------------------------------------------------------------------------------------------
; Uninstall: only what the installer put there. RMDir /r is used for _internal alone (the
; bundle's own folder); $INSTDIR itself is removed only when empty, so a folder the user chose
; that also holds other files keeps them.

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Call un.SB_WaitNotRunning

  Delete "$SMPROGRAMS\${PRODUCT_ZH}.lnk"
  Delete "$DESKTOP\${PRODUCT_ZH}.lnk"

  ; The file type: our ProgID, and .sealbid only while it still points to it.
  DeleteRegKey HKCU "${CLASSES}\${PROGID}"
  DeleteRegValue HKCU "${CLASSES}\.sealbid\OpenWithProgids" "${PROGID}"
  DeleteRegKey /ifempty HKCU "${CLASSES}\.sealbid\OpenWithProgids"
  ReadRegStr $0 HKCU "${CLASSES}\.sealbid" ""
  ${If} $0 == "${PROGID}"
    DeleteRegValue HKCU "${CLASSES}\.sealbid" ""
  ${EndIf}
  DeleteRegKey /ifempty HKCU "${CLASSES}\.sealbid"
  !insertmacro SB_ASSOC_CHANGED

  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\${APP_EXE}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${UNINST_EXE}"
  RMDir "$INSTDIR"

  DeleteRegKey HKCU "${UNINST_KEY}"

  ; Not touched: $APPDATA\SealBid (bids, receipts, drafts, settings), $LOCALAPPDATA\SealBid.
  DetailPrint "$(SB_KEPT_DETAIL)"
SectionEnd
