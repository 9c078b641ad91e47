using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;

namespace ControlNet.Core.Tests.ControlMaps;

public class ExtractorTests
{
    private static ControlMapParameters With(params (string Name, string Value)[] values) =>
        new(values.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void Registry_knows_every_extractor_and_rejects_unknown_names()
    {
        Assert.Equal(["canny", "invert", "none", "scribble", "shuffle", "tile"], ControlMapExtractors.Names.Order());
        var error = Assert.Throws<InvalidInputException>(() => ControlMapExtractors.Get("depth"));
        Assert.Contains("Unknown control type 'depth'", error.Message);
        Assert.Contains("canny", error.Message);
    }

    [Fact]
    public void Unknown_parameter_is_rejected_with_the_accepted_list()
    {
        var error = Assert.Throws<InvalidInputException>(() => ControlMapExtractors.Get("canny").Extract(TestImages.Pattern(8, 8), With(("lo", "5"))));
        Assert.Contains("does not take parameter(s) lo", error.Message);
        Assert.Contains("low, high", error.Message);
    }

    [Fact]
    public void Non_numeric_parameter_is_rejected()
    {
        var error = Assert.Throws<InvalidInputException>(() => ControlMapExtractors.Get("canny").Extract(TestImages.Pattern(8, 8), With(("low", "abc"))));
        Assert.Contains("'low' must be a number", error.Message);
    }

    [Fact]
    public void Canny_extractor_uses_the_reference_defaults_100_200()
    {
        var image = ImageDecoder.DecodeFile(TestImages.PhotoPath);
        var viaExtractor = ControlMapExtractors.Get("canny").Extract(image, ControlMapParameters.Empty);
        Assert.Equal(CannyEdgeDetector.Detect(image, 100, 200).Data, viaExtractor.Data);
    }

    [Fact]
    public void Scribble_marks_pixels_whose_darkest_channel_is_below_the_threshold()
    {
        var image = new ByteImage(3, 1, 3, [10, 200, 200, 130, 127, 255, 126, 255, 255]);
        var map = ControlMapExtractors.Get("scribble").Extract(image, ControlMapParameters.Empty);
        Assert.Equal(new byte[] { 255, 0, 255 }, map.Data); // min 10 < 127; min 127 is not; min 126 < 127
        var strict = ControlMapExtractors.Get("scribble").Extract(image, With(("threshold", "11")));
        Assert.Equal(new byte[] { 255, 0, 0 }, strict.Data);
    }

    [Fact]
    public void Invert_subtracts_from_255()
    {
        var image = new ByteImage(2, 1, 3, [0, 1, 2, 253, 254, 255]);
        Assert.Equal(new byte[] { 255, 254, 253, 2, 1, 0 }, ControlMapExtractors.Get("invert").Extract(image, ControlMapParameters.Empty).Data);
    }

    [Fact]
    public void None_passes_the_map_through()
    {
        var image = TestImages.Pattern(5, 5);
        Assert.Same(image, ControlMapExtractors.Get("none").Extract(image, ControlMapParameters.Empty));
    }

    [Fact]
    public void Shuffle_is_seeded_and_only_moves_existing_colours()
    {
        var image = TestImages.Pattern(96, 64);
        var shuffle = ControlMapExtractors.Get("shuffle");
        var a = shuffle.Extract(image, With(("seed", "3"), ("cell", "32")));
        var b = shuffle.Extract(image, With(("seed", "3"), ("cell", "32")));
        var c = shuffle.Extract(image, With(("seed", "4"), ("cell", "32")));
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, c.Data);
        Assert.NotEqual(image.Data, a.Data);
        // Bilinear sampling inside the image: every output value lies within the source's range.
        Assert.InRange(a.Data.Min(), image.Data.Min(), image.Data.Max());
        Assert.InRange(a.Data.Max(), image.Data.Min(), image.Data.Max());
    }

    [Fact]
    public void Tile_blurs_detail_but_keeps_size_and_mean()
    {
        var image = TestImages.Pattern(64, 64);
        var tile = ControlMapExtractors.Get("tile").Extract(image, With(("factor", "8")));
        Assert.Equal((64, 64, 3), (tile.Width, tile.Height, tile.Channels));
        static double Roughness(ByteImage i) => Enumerable.Range(1, i.Data.Length / 3 - 1).Average(p => Math.Abs(i.Data[p * 3] - i.Data[p * 3 - 3]));
        Assert.True(Roughness(tile) < Roughness(image) / 2, $"tile {Roughness(tile)} vs source {Roughness(image)}");
        Assert.InRange(tile.Data.Average(b => (double)b), image.Data.Average(b => (double)b) - 8, image.Data.Average(b => (double)b) + 8);
    }
}
