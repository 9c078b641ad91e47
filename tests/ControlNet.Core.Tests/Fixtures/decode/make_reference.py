#!/usr/bin/python3
"""Regenerate the decoder's reference images (documentation only: tests never run this).

Needs Debian bookworm's python3-opencv, python3-pil (Pillow 9.4) and numpy. Run from the test project folder:

    /usr/bin/python3 Fixtures/decode/make_reference.py

The reference annotators receive numpy arrays from Pillow (gradio's Image component opens the upload with
Pillow and converts it to RGB, RGBA when it has alpha), then apply HWC3. For each input below:
  inputs/<name>.png      a 64x48 crop of the astronaut in an unusual PNG encoding
  expected/<name>.png    HWC3(np.array(Pillow image converted to RGB or RGBA)), stored as 8-bit RGB
"""
import importlib.util
import os

import cv2
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTO = os.path.join(HERE, "..", "photos", "astronaut_512.png")

# The reference's HWC3, restated once in the resize fixtures' script.
_spec = importlib.util.spec_from_file_location("resize_reference", os.path.join(HERE, "..", "resize", "make_reference.py"))
_resize_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_resize_reference)
HWC3 = _resize_reference.HWC3


def as_pillow_hands_it(path):
    image = Image.open(path)
    has_alpha = "A" in image.mode or "transparency" in image.info
    return HWC3(np.array(image.convert("RGBA" if has_alpha else "RGB")))


def main():
    os.makedirs(os.path.join(HERE, "inputs"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    rgb = cv2.cvtColor(cv2.imread(PHOTO), cv2.COLOR_BGR2RGB)[200:248, 220:284]
    rng = np.random.default_rng(3)
    # 16-bit samples whose low byte is noise: a reduction that rounds (value·255/65535) differs from the high byte.
    rgb16 = rgb.astype(np.uint16) * 256 + rng.integers(0, 256, rgb.shape, dtype=np.uint16)
    alpha16 = (np.linspace(0, 65535, 64)[None, :].repeat(48, 0)).astype(np.uint16)
    gray16 = (np.arange(64)[None, :] * 9 + np.arange(48)[:, None] * 2).astype(np.uint16)  # 0..659: partly over 255
    inputs = {
        "rgb16": lambda p: cv2.imwrite(p, cv2.cvtColor(rgb16, cv2.COLOR_RGB2BGR)),
        "rgba16": lambda p: cv2.imwrite(p, cv2.cvtColor(np.dstack([rgb16, alpha16]), cv2.COLOR_RGBA2BGRA)),
        "gray16": lambda p: cv2.imwrite(p, gray16),
        "palette_trns": lambda p: palette_with_transparency(rgb).save(p, transparency=0),
    }
    for name, write in inputs.items():
        path = os.path.join(HERE, "inputs", name + ".png")
        write(path)
        expected = as_pillow_hands_it(path)
        cv2.imwrite(os.path.join(HERE, "expected", name + ".png"), cv2.cvtColor(expected, cv2.COLOR_RGB2BGR))


def palette_with_transparency(rgb):
    return Image.fromarray(rgb).quantize(colors=16, method=Image.Quantize.MEDIANCUT)


if __name__ == "__main__":
    main()
