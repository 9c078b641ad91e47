using ControlNet.Core.Imaging;

namespace ControlNet.Core.Tests.Imaging;

/// <summary>
/// Pixel parity with OpenCV 4.6's cv2.resize: every expected image was written by
/// Fixtures/resize/make_reference.py with OpenCV itself (see the script for how to regenerate).
/// </summary>
public class OpenCvResizeTests
{
    [Theory]
    [InlineData("retina_1411", 3, Interpolation.Area, 512, 512)]
    [InlineData("astronaut_512", 3, Interpolation.Area, 256, 256)]
    [InlineData("camera_512", 1, Interpolation.Area, 128, 128)]
    [InlineData("astronaut_512", 3, Interpolation.Area, 341, 227)]
    [InlineData("camera_512", 1, Interpolation.Area, 300, 170)]
    [InlineData("astronaut_203x100", 3, Interpolation.Area, 128, 128)]
    [InlineData("astronaut_61x47", 3, Interpolation.Area, 150, 97)]
    [InlineData("camera_512", 1, Interpolation.Lanczos4, 768, 768)]
    [InlineData("astronaut_300x200", 3, Interpolation.Lanczos4, 768, 512)]
    [InlineData("astronaut_97x61", 3, Interpolation.Lanczos4, 211, 133)]
    [InlineData("astronaut_512", 3, Interpolation.Lanczos4, 300, 200)]
    [InlineData("astronaut_5x3", 3, Interpolation.Lanczos4, 17, 9)]
    [InlineData("astronaut_300x200", 3, Interpolation.Linear, 450, 301)]
    [InlineData("astronaut_300x200", 3, Interpolation.Linear, 150, 100)]
    [InlineData("astronaut_300x200", 3, Interpolation.Linear, 123, 77)]
    [InlineData("camera_512", 1, Interpolation.Linear, 1000, 700)]
    [InlineData("astronaut_300x200", 3, Interpolation.Cubic, 450, 301)]
    [InlineData("astronaut_300x200", 3, Interpolation.Cubic, 123, 77)]
    [InlineData("camera_512", 1, Interpolation.Cubic, 700, 555)]
    [InlineData("astronaut_5x3", 3, Interpolation.Cubic, 13, 7)]
    public void Resize_matches_OpenCV(string input, int channels, Interpolation interpolation, int width, int height)
    {
        var source = FixtureImages.Load(InputPath(input), channels);
        var expected = FixtureImages.Load(
            TestImages.Fixture("resize", "expected", $"{input}__{interpolation.ToString().ToLowerInvariant()}_{width}x{height}.png"), channels);

        var actual = OpenCvResize.Resize(source, width, height, interpolation);

        FixtureImages.AssertSame(expected, actual, $"{input} → {width}x{height} {interpolation}");
    }

    [Fact]
    public void Same_size_is_a_copy()
    {
        var source = TestImages.Pattern(20, 10);
        var copy = OpenCvResize.Resize(source, 20, 10, Interpolation.Lanczos4);
        Assert.Equal(source.Data, copy.Data);
        Assert.NotSame(source.Data, copy.Data);
    }

    private static string InputPath(string name)
    {
        var photo = TestImages.Fixture("photos", name + ".png");
        return File.Exists(photo) ? photo : TestImages.Fixture("resize", "inputs", name + ".png");
    }
}
