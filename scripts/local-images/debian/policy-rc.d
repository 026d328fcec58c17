#!/bin/sh
# No package may start a service while an image is built (as in Debian's official images).
exit 101
