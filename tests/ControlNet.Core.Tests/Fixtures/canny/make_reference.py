#!/usr/bin/python3
"""Regenerate the Canny reference maps with OpenCV (documentation only: the tests never run this).

Needs Debian's python3-opencv (4.6.0 when these fixtures were made) and python3-skimage (for the
bundled public-domain photos). Run with the system interpreter from the test project folder:

    /usr/bin/python3 Fixtures/canny/make_reference.py

Writes
  Fixtures/photos/astronaut_512.png   RGB 512x512    (skimage.data.astronaut)
  Fixtures/photos/retina_1411.png     RGB 1411x1411  (skimage.data.retina)
  Fixtures/photos/camera_512.png      grey 512x512   (skimage.data.camera)
  Fixtures/canny/inputs/*.png         tiny random images and odd-sized crops of the photos
  Fixtures/canny/expected/<input>__<low>_<high>.png   cv2.Canny(input, low, high), 0/255

The inputs are handed to cv2.Canny as RGB arrays, exactly as ImageSharp's Rgb24 decoder yields them,
because OpenCV's per-pixel channel choice breaks ties towards the first channel.
"""
import os

import cv2
import numpy as np
import skimage.data

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTOS = os.path.join(HERE, "..", "photos")
INPUTS = os.path.join(HERE, "inputs")
EXPECTED = os.path.join(HERE, "expected")

PHOTO_THRESHOLDS = [(100, 200), (50, 150), (20, 80), (200, 100)]
SMALL_THRESHOLDS = [(20, 80), (100, 200), (30.7, 90.2), (-10, 40)]
# Out of int range: OpenCV's cvFloor truncates with x86 semantics (1e10 -> INT_MIN, -1e10 wraps to INT_MAX).
EXTREME_THRESHOLDS = [(1e10, 2e10), (-1e10, 5)]


def write_png(path, pixels):
    """Writes an RGB or grey uint8 array losslessly (OpenCV's writer wants BGR)."""
    bgr = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR) if pixels.ndim == 3 else pixels
    assert cv2.imwrite(path, bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9]), path


def read_png(path):
    """Reads back what was written, as RGB (or grey), to be sure the reference sees the stored pixels."""
    pixels = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB) if pixels.ndim == 3 else pixels


def threshold_name(value):
    return f"{value:g}"


def write_references(name, path, thresholds):
    pixels = read_png(path)
    for low, high in thresholds:
        edges = cv2.Canny(pixels, low, high)
        # The result must not depend on OpenCV's slicing into threads (the annotator runs multi-threaded).
        cv2.setNumThreads(1)
        single = cv2.Canny(pixels, low, high)
        cv2.setNumThreads(-1)
        assert np.array_equal(edges, single), (name, low, high)
        out = os.path.join(EXPECTED, f"{name}__{threshold_name(low)}_{threshold_name(high)}.png")
        write_png(out, edges)
        print(f"{out}: {int((edges > 0).sum())} edge pixels")


def main():
    os.makedirs(PHOTOS, exist_ok=True)
    os.makedirs(INPUTS, exist_ok=True)
    os.makedirs(EXPECTED, exist_ok=True)

    photos = {
        "astronaut_512": skimage.data.astronaut(),
        "retina_1411": skimage.data.retina(),
        "camera_512": skimage.data.camera(),
    }
    for name, pixels in photos.items():
        path = os.path.join(PHOTOS, f"{name}.png")
        write_png(path, np.ascontiguousarray(pixels))
        write_references(name, path, PHOTO_THRESHOLDS)

    rng = np.random.default_rng(20240531)
    small = {}
    for width, height in [(1, 1), (2, 3), (3, 2), (3, 3)]:
        small[f"random_rgb_{width}x{height}"] = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        small[f"random_gray_{width}x{height}"] = rng.integers(0, 256, (height, width), dtype=np.uint8)
    # Low contrast, so that the thresholds decide.
    for width, height in [(2, 3), (3, 3)]:
        small[f"soft_rgb_{width}x{height}"] = rng.integers(100, 140, (height, width, 3), dtype=np.uint8)
        small[f"soft_gray_{width}x{height}"] = rng.integers(100, 140, (height, width), dtype=np.uint8)
    # Odd widths either side of one and two 16-pixel vectors, cut from the photos.
    astronaut, camera = photos["astronaut_512"], photos["camera_512"]
    small["astronaut_crop_9x12"] = astronaut[180:192, 200:209]
    small["astronaut_crop_17x5"] = astronaut[100:105, 250:267]
    small["astronaut_crop_37x23"] = astronaut[60:83, 180:217]
    small["camera_crop_15x40"] = camera[100:140, 200:215]
    small["camera_crop_33x17"] = camera[300:317, 240:273]
    for name, pixels in small.items():
        path = os.path.join(INPUTS, f"{name}.png")
        write_png(path, np.ascontiguousarray(pixels))
        write_references(name, path, SMALL_THRESHOLDS + (EXTREME_THRESHOLDS if "crop" in name else []))

    print("OpenCV", cv2.__version__)


if __name__ == "__main__":
    main()
