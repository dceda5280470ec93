# Sourced by the other scripts: makes sure `swift` is found, or says where to get it.
if ! command -v swift > /dev/null 2>&1; then
    for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        [ -x "$candidate/swift" ] && export PATH="$PATH:$candidate" && break
    done
fi
if ! command -v swift > /dev/null 2>&1; then
    echo "error: the Swift 6 toolchain is not on the PATH (https://www.swift.org/install/linux/)" >&2
    exit 1
fi
