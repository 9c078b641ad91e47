using ControlNet.Core.Imaging;

namespace ControlNet.Workflow.Tests;

public static class TestImages
{
    /// <summary>A small RGB PNG with edges (a bright square on a gradient), so Canny finds something.</summary>
    public static byte[] SquarePng(int width = 96, int height = 64)
    {
        var image = new ByteImage(width, height, 3);
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            bool inside = x > width / 4 && x < 3 * width / 4 && y > height / 4 && y < 3 * height / 4;
            var i = (y * width + x) * 3;
            image.Data[i] = inside ? (byte)240 : (byte)(x * 2);
            image.Data[i + 1] = inside ? (byte)230 : (byte)(y * 2);
            image.Data[i + 2] = inside ? (byte)220 : (byte)40;
        }
        return PngFile.Encode(image);
    }
}
