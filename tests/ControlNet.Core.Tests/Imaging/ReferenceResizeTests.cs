using ControlNet.Core.Imaging;

namespace ControlNet.Core.Tests.Imaging;

public class ReferenceResizeTests
{
    // Expected sizes worked by hand from the annotator's resize_image:
    // k = res / min(H, W); side = round(side·k / 64)·64 with numpy's half-to-even round.
    [Theory]
    [InlineData(512, 512, 512, 512, 512)]
    [InlineData(1000, 750, 512, 704, 512)]   // W: 1000·0.68267 = 682.7 → 10.67 → 11·64
    [InlineData(750, 1000, 512, 512, 704)]
    [InlineData(1920, 1080, 512, 896, 512)]  // 910.2 → 14.22 → 14·64
    [InlineData(300, 200, 512, 768, 512)]    // 768 exactly
    [InlineData(1184, 512, 512, 1152, 512)]  // 1184/64 = 18.5 → 18 (half to even)
    [InlineData(1248, 512, 512, 1280, 512)]  // 19.5 → 20 (half to even)
    [InlineData(640, 480, 384, 512, 384)]
    public void Target_size_follows_the_annotator_rule(int width, int height, int resolution, int expectedWidth, int expectedHeight)
    {
        Assert.Equal((expectedWidth, expectedHeight), ReferenceResize.TargetSize(width, height, resolution));
    }

    [Fact]
    public void Resize_produces_the_target_size_and_keeps_channels()
    {
        var gray = TestImages.Pattern(100, 60, channels: 1);
        var resized = ReferenceResize.ToResolution(gray, 128);
        Assert.Equal((192, 128, 1), (resized.Width, resized.Height, resized.Channels));
    }

    [Fact]
    public void Uniform_image_stays_uniform_after_resizing()
    {
        var flat = new ByteImage(50, 40, 3, Enumerable.Repeat((byte)77, 50 * 40 * 3).ToArray());
        Assert.All(ReferenceResize.ToSize(flat, 120, 96).Data, b => Assert.Equal(77, b));
        Assert.All(ReferenceResize.ToSize(flat, 10, 8).Data, b => Assert.Equal(77, b));
    }

    [Theory]
    [InlineData(10000, 1000, 2048)]
    [InlineData(1, 40_000_000, 512)]
    public void Extreme_aspect_ratios_are_rejected_with_the_resulting_size(int width, int height, int resolution)
    {
        var error = Assert.Throws<InvalidInputException>(() => ReferenceResize.TargetSize(width, height, resolution));
        Assert.Contains("limit per side", error.Message);
    }

    [Fact]
    public void Out_of_range_resolution_is_rejected()
    {
        Assert.Throws<InvalidInputException>(() => ReferenceResize.TargetSize(100, 100, 10));
        Assert.Throws<InvalidInputException>(() => ReferenceResize.TargetSize(100, 100, 100_000));
    }
}
