#!/usr/bin/env bash
# Sets up voxlip on a fresh Debian/Ubuntu machine: system packages, a virtual environment at .venv in the
# repository root, the CPU build of torch, and voxlip with its demo and dev extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run this as root, or install sudo, to install system packages" >&2; exit 1; }
  SUDO="sudo"
fi

packages=()
command -v espeak-ng >/dev/null || packages+=(espeak-ng)
command -v "$PYTHON" >/dev/null || packages+=(python3)
command -v g++ >/dev/null || packages+=(build-essential)
# ninja builds the fused WaveRNN kernels (voice/vocoder/kernels.py); chromium drives the browser test.
command -v ninja >/dev/null || packages+=(ninja-build)
command -v chromium >/dev/null || packages+=(chromium)
# OpenCV's wheel (mediapipe's cv2) loads libGL and GLib, which a minimal Debian lacks.
ldconfig -p 2>/dev/null | grep -q "libGL.so.1 " || packages+=(libgl1)
ldconfig -p 2>/dev/null | grep -q "libglib-2.0.so.0 " || packages+=(libglib2.0-0)
if command -v "$PYTHON" >/dev/null; then
  "$PYTHON" -c "import venv, ensurepip" 2>/dev/null || packages+=(python3-venv)
  "$PYTHON" -c "import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))" 2>/dev/null \
    || packages+=(python3-dev)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "setup: installing ${packages[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

"$PYTHON" -c "import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 13))" \
  || { echo "setup: voxlip needs Python 3.11 or 3.12 (MediaPipe 0.10.21 has no wheels for later ones): set PYTHON=python3.12" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# torch first, its CPU build, so that nothing later pulls a multi-GB CUDA build (PyPI's Linux torch is one): a wheel
# pip already finds (a local one), else PyTorch's CPU index.
.venv/bin/python -m pip install -q --disable-pip-version-check "torch==2.13.0+cpu" 2>/dev/null \
  || .venv/bin/python -m pip install -q --disable-pip-version-check "torch==2.13.0+cpu" \
    --extra-index-url https://download.pytorch.org/whl/cpu
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[demo,dev]"
echo "setup: ready ($(.venv/bin/voxlip --version))"
