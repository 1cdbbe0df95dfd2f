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
# The program's absolute path, quoted for the desktop entry's Exec key.
sed -e "s|^Exec=rnnviz |Exec=\"$here/rnnviz\" |" -e "s|^TryExec=rnnviz\$|TryExec=$here/rnnviz|" \
    "$here/rnnviz.desktop" > "$apps/rnnviz.desktop"
cp "$here/rnnviz.png" "$icons/rnnviz.png"
cp "$here/rnnviz-session.xml" "$mime/rnnviz-session.xml"
refresh
echo "rnnviz added to the application menu (runs $here/rnnviz)"
