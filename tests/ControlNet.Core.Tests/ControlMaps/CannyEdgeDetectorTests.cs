using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;

namespace ControlNet.Core.Tests.ControlMaps;

/// <summary>
/// Every expected map was made by OpenCV 4.6's cv2.Canny on the same decoded pixels
/// (Fixtures/canny/make_reference.py); a single differing pixel fails.
/// </summary>
public class CannyEdgeDetectorTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    [Theory]
    [InlineData(100, 200)]
    [InlineData(50, 150)]
    [InlineData(20, 80)]
    public void Canny_matches_opencv_on_rgb_photo(double low, double high) =>
        AssertMatchesOpenCv(Photo("astronaut_512", 3), "astronaut_512", low, high);

    [Theory]
    [InlineData(100, 200)]
    [InlineData(50, 150)]
    [InlineData(20, 80)]
    public void Canny_matches_opencv_on_large_rgb_photo(double low, double high) =>
        AssertMatchesOpenCv(Photo("retina_1411", 3), "retina_1411", low, high);

    [Theory]
    [InlineData(100, 200)]
    [InlineData(50, 150)]
    [InlineData(20, 80)]
    public void Canny_matches_opencv_on_gray_photo(double low, double high) =>
        AssertMatchesOpenCv(Photo("camera_512", 1), "camera_512", low, high);

    [Theory]
    [InlineData("astronaut_512", 3)]
    [InlineData("retina_1411", 3)]
    [InlineData("camera_512", 1)]
    public void Canny_swaps_thresholds_when_low_exceeds_high(string photo, int channels) =>
        AssertMatchesOpenCv(Photo(photo, channels), photo, 200, 100);

    [Theory]
    [InlineData("random_rgb_1x1", 3)]
    [InlineData("random_gray_1x1", 1)]
    [InlineData("random_rgb_2x3", 3)]
    [InlineData("random_gray_2x3", 1)]
    [InlineData("random_rgb_3x2", 3)]
    [InlineData("random_gray_3x2", 1)]
    [InlineData("random_rgb_3x3", 3)]
    [InlineData("random_gray_3x3", 1)]
    [InlineData("soft_rgb_2x3", 3)]
    [InlineData("soft_gray_2x3", 1)]
    [InlineData("soft_rgb_3x3", 3)]
    [InlineData("soft_gray_3x3", 1)]
    public void Canny_matches_opencv_on_tiny_images(string input, int channels)
    {
        foreach (var (low, high) in SmallThresholds)
            AssertMatchesOpenCv(SmallInput(input, channels), input, low, high);
    }

    [Theory]
    [InlineData("astronaut_crop_9x12", 3)]
    [InlineData("astronaut_crop_17x5", 3)]
    [InlineData("astronaut_crop_37x23", 3)]
    [InlineData("camera_crop_15x40", 1)]
    [InlineData("camera_crop_33x17", 1)]
    public void Canny_matches_opencv_on_widths_around_the_vector_size(string input, int channels)
    {
        foreach (var (low, high) in SmallThresholds)
            AssertMatchesOpenCv(SmallInput(input, channels), input, low, high);
    }

    [Theory]
    [InlineData("astronaut_crop_37x23", 3, 1e10, 2e10)]
    [InlineData("astronaut_crop_37x23", 3, -1e10, 5)]
    [InlineData("camera_crop_33x17", 1, 1e10, 2e10)]
    [InlineData("camera_crop_33x17", 1, -1e10, 5)]
    public void Canny_floors_out_of_range_thresholds_as_opencv_does(string input, int channels, double low, double high) =>
        AssertMatchesOpenCv(SmallInput(input, channels), input, low, high);

    [Theory]
    [InlineData("astronaut_512", 3, 20, 80)]
    [InlineData("camera_512", 1, 50, 150)]
    [InlineData("retina_1411", 3, 100, 200)]
    public void Canny_scalar_path_matches_opencv(string photo, int channels, double low, double high)
    {
        var edges = CannyEdgeDetector.Detect(Photo(photo, channels), low, high, useVectors: false);
        FixtureImages.AssertSame(Expected(photo, low, high), edges, $"{photo} ({low}, {high}) scalar");
    }

    [Fact]
    public void Canny_returns_a_single_channel_map_of_0_and_255()
    {
        var edges = CannyEdgeDetector.Detect(Photo("astronaut_512", 3), 100, 200);

        Assert.Equal((512, 512, 1), (edges.Width, edges.Height, edges.Channels));
        Assert.All(edges.Data, value => Assert.True(value is 0 or 255));
        Assert.Contains((byte)255, edges.Data);
    }

    private static readonly (double Low, double High)[] SmallThresholds = [(20, 80), (100, 200), (30.7, 90.2), (-10, 40)];

    private static void AssertMatchesOpenCv(ByteImage input, string name, double low, double high) =>
        FixtureImages.AssertSame(Expected(name, low, high), CannyEdgeDetector.Detect(input, low, high), $"{name} ({low}, {high})");

    private static ByteImage Photo(string name, int channels) => Load(Path.Combine(Fixtures, "photos", name + ".png"), channels);

    private static ByteImage SmallInput(string name, int channels) => Load(Path.Combine(Fixtures, "canny", "inputs", name + ".png"), channels);

    /// <summary>File names as make_reference.py writes them: Python's "{value:g}" (20, 30.7, -10, 1e+10).</summary>
    private static ByteImage Expected(string input, double low, double high) =>
        Load(Path.Combine(Fixtures, "canny", "expected", $"{input}__{PythonG(low)}_{PythonG(high)}.png"), 1);

    private static string PythonG(double value) =>
        Math.Abs(value) >= 1e6 ? value.ToString("0e+00", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ByteImage Load(string path, int channels) => FixtureImages.Load(path, channels);
}
