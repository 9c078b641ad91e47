#!/usr/bin/python3
"""Regenerate the cv2.resize and demo-preprocess reference images (documentation only: tests never run this).

Needs Debian bookworm's python3-opencv (OpenCV 4.6.0 when these fixtures were made). Run with the system
interpreter from the test project folder, after Fixtures/canny/make_reference.py has written the photos:

    /usr/bin/python3 Fixtures/resize/make_reference.py

Writes
  inputs/*.png                        crops of the photos (odd sizes, one RGBA image with an alpha ramp)
  expected/<case>.png                 cv2.resize(input, (w, h), interpolation=...) for every case in CASES
  expected/canny_<input>_r<R>.png     cv2.Canny(resize_image(HWC3(img), R), 100, 200), the paper demo's
                                      preprocess (lllyasviel/ControlNet annotator/util.py, gradio_canny2image.py)

Every array is handed to OpenCV in RGB(A) order, as the project's decoder yields pixels; resize works per
channel, and Canny's per-pixel channel choice breaks ties towards the first channel (see ../canny/README.md).
"""
import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTOS = os.path.join(HERE, "..", "photos")
INPUTS = os.path.join(HERE, "inputs")
EXPECTED = os.path.join(HERE, "expected")

INTER = {"area": cv2.INTER_AREA, "lanczos4": cv2.INTER_LANCZOS4, "linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}


def write_png(path, pixels):
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        stored = cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGRA)
    elif pixels.ndim == 3:
        stored = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    else:
        stored = pixels
    assert cv2.imwrite(path, stored, [cv2.IMWRITE_PNG_COMPRESSION, 9]), path


def read_png(path):
    pixels = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        return cv2.cvtColor(pixels, cv2.COLOR_BGRA2RGBA)
    if pixels.ndim == 3:
        return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    return pixels


def HWC3(x):
    """lllyasviel/ControlNet annotator/util.py, verbatim in behaviour."""
    assert x.dtype == np.uint8
    if x.ndim == 2:
        x = x[:, :, None]
    H, W, C = x.shape
    if C == 3:
        return x
    if C == 1:
        return np.concatenate([x, x, x], axis=2)
    color = x[:, :, 0:3].astype(np.float32)
    alpha = x[:, :, 3:4].astype(np.float32) / 255.0
    y = color * alpha + 255.0 * (1.0 - alpha)
    return y.clip(0, 255).astype(np.uint8)


def resize_image(input_image, resolution):
    """lllyasviel/ControlNet annotator/util.py."""
    H, W, C = input_image.shape
    H = float(H)
    W = float(W)
    k = float(resolution) / min(H, W)
    H *= k
    W *= k
    H = int(np.round(H / 64.0)) * 64
    W = int(np.round(W / 64.0)) * 64
    return cv2.resize(input_image, (W, H), interpolation=cv2.INTER_LANCZOS4 if k > 1 else cv2.INTER_AREA)


def make_inputs():
    os.makedirs(INPUTS, exist_ok=True)
    astronaut = read_png(os.path.join(PHOTOS, "astronaut_512.png"))
    crops = {
        "astronaut_300x200": astronaut[100:300, 150:450],
        "astronaut_97x61": astronaut[40:101, 200:297],
        "astronaut_203x100": astronaut[300:400, 50:253],
        "astronaut_61x47": astronaut[200:247, 250:311],
        "astronaut_5x3": astronaut[250:253, 240:245],
    }
    # RGBA: the astronaut with a diagonal alpha ramp and a fully transparent corner.
    h, w = 384, 512
    ramp = (np.add.outer(np.arange(h), np.arange(w)) * 255 // (h + w - 2)).astype(np.uint8)
    ramp[:64, :64] = 0
    crops["astronaut_rgba_512x384"] = np.dstack([astronaut[64:448, :], ramp])
    for name, pixels in crops.items():
        write_png(os.path.join(INPUTS, name + ".png"), np.ascontiguousarray(pixels))


# (input, interpolation, width, height); inputs without a folder are the photos.
CASES = [
    ("retina_1411", "area", 512, 512),          # fractional shrink, the R=512 demo resize of the retina
    ("astronaut_512", "area", 256, 256),        # integer 2x2 fast path
    ("camera_512", "area", 128, 128),           # integer 4x4, gray
    ("astronaut_512", "area", 341, 227),        # fractional, different x and y factors
    ("camera_512", "area", 300, 170),
    ("astronaut_203x100", "area", 128, 128),    # x shrinks, y enlarges: OpenCV's bilinear emulation
    ("astronaut_61x47", "area", 150, 97),       # enlarging with INTER_AREA
    ("camera_512", "lanczos4", 768, 768),       # the R=768 demo resize, gray
    ("astronaut_300x200", "lanczos4", 768, 512),
    ("astronaut_97x61", "lanczos4", 211, 133),
    ("astronaut_512", "lanczos4", 300, 200),    # Lanczos shrinking
    ("astronaut_5x3", "lanczos4", 17, 9),       # every tap near a border
    ("astronaut_300x200", "linear", 450, 301),
    ("astronaut_300x200", "linear", 150, 100),  # halving: OpenCV switches to INTER_AREA
    ("astronaut_300x200", "linear", 123, 77),
    ("camera_512", "linear", 1000, 700),
    ("astronaut_300x200", "cubic", 450, 301),
    ("astronaut_300x200", "cubic", 123, 77),
    ("camera_512", "cubic", 700, 555),
    ("astronaut_5x3", "cubic", 13, 7),
]

# (input, resolution) for the demo's canny preprocess at thresholds 100, 200.
CANNY_CASES = [
    ("retina_1411", 512),             # shrinking (INTER_AREA)
    ("astronaut_512", 768),           # enlarging (INTER_LANCZOS4)
    ("retina_1411_rows_250_1150", 512),  # not square (1411x900, rows 250..1149 of the photo): 832x512
    ("astronaut_rgba_512x384", 512),  # RGBA over white, then enlarged to 704x512
]


def load_input(name):
    if name == "retina_1411_rows_250_1150":  # cut by the tests too, rather than stored twice
        return read_png(input_path("retina_1411"))[250:1150, :]
    return read_png(input_path(name))


def input_path(name):
    photo = os.path.join(PHOTOS, name + ".png")
    return photo if os.path.exists(photo) else os.path.join(INPUTS, name + ".png")


def main():
    make_inputs()
    os.makedirs(EXPECTED, exist_ok=True)
    for name, interpolation, width, height in CASES:
        source = read_png(input_path(name))
        result = cv2.resize(source, (width, height), interpolation=INTER[interpolation])
        write_png(os.path.join(EXPECTED, f"{name}__{interpolation}_{width}x{height}.png"), result)
    for name, resolution in CANNY_CASES:
        source = load_input(name)
        edges = cv2.Canny(resize_image(HWC3(source), resolution), 100, 200)
        write_png(os.path.join(EXPECTED, f"canny_{name}_r{resolution}.png"), edges)


if __name__ == "__main__":
    main()
