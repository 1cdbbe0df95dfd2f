#!/bin/sh
# Add rnnviz (this unpacked folder) to the desktop's application menu, for this user only:
# a .desktop file pointing at this folder's program, the icon, and the session-file type.
#   ./install-desktop-entry.sh           install (again, after moving the folder)
#   ./install-desktop-entry.sh --remove  take it out
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps="$data/applications"
icons="$data/icons/hicolor/256x256/apps"
mime="$data/mime/packages"

refresh() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
    command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$data/mime" || true
}

if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/rnnviz.desktop" "$icons/rnnviz.png" "$mime/rnnviz-session.xml"
    refresh
    echo "rnnviz removed from the application menu"
    exit 0
fi
if [ ! -x "$here/rnnviz" ]; then
    echo "install-desktop-entry.sh: run it from the unpacked rnnviz folder (no ./rnnviz next to it)" >&2
    exit 1
fi
mkdir -p "$apps" "$icons" "$mime"
# The program's absolute path in the desktop entry, escaped as the Desktop
# Entry Specification asks, whatever the folder is called ("R&D", "a$b", 50%):
# TryExec is a plain string (a backslash doubled); in Exec the path is a
# quoted argument (\ " ` $ escaped with a backslash, then every backslash
# doubled once more as for any string) and % is doubled.
program="$here/rnnviz"
try_exec=$(printf '%s' "$program" | sed -e 's/\\/\\\\/g')
exec_arg=$(printf '%s' "$program" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')
while IFS= read -r line; do
    case $line in
        "Exec=rnnviz "*) printf 'Exec="%s" %s\n' "$exec_arg" "${line#Exec=rnnviz }" ;;
        "TryExec=rnnviz") printf 'TryExec=%s\n' "$try_exec" ;;
        *) printf '%s\n' "$line" ;;
    esac
done < "$here/rnnviz.desktop" > "$apps/rnnviz.desktop"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$apps/rnnviz.desktop"
fi
cp "$here/rnnviz.png" "$icons/rnnviz.png"
cp "$here/rnnviz-session.xml" "$mime/rnnviz-session.xml"
refresh
echo "rnnviz added to the application menu (runs $here/rnnviz)"
