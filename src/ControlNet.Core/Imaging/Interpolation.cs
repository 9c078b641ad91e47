namespace ControlNet.Core.Imaging;

/// <summary>OpenCV's interpolation flags for <see cref="OpenCvResize"/> (same numbers as cv2.INTER_*).</summary>
public enum Interpolation
{
    Linear = 1,
    Cubic = 2,
    Area = 3,
    Lanczos4 = 4,
}
