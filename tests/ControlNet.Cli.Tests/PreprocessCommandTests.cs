using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;

namespace ControlNet.Cli.Tests;

public class PreprocessCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cli-preprocess-").FullName;

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void Canny_writes_the_reference_map_with_its_parameters()
    {
        var output = PathOf("edges.png");
        var result = CliRunner.Run("preprocess", "canny", "--input", CliRunner.Photo, "--output", output, "--low", "50", "--high", "150");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("512x512", result.Stdout);
        var expected = CannyEdgeDetector.Detect(ImageDecoder.DecodeFile(CliRunner.Photo), 50, 150);
        var written = ImageDecoder.DecodeFile(output);
        Assert.Equal(expected.Data, Enumerable.Range(0, expected.Data.Length).Select(i => written.Data[i * 3]).ToArray());
        using var stream = File.OpenRead(output);
        Assert.Equal("canny low=50 high=150", PngFile.ReadText(stream)["controlnet-preprocess"]);
    }

    [Fact]
    public void Resolution_applies_the_reference_resize_rule()
    {
        var output = PathOf("small.png");
        var result = CliRunner.Run("preprocess", "scribble", "--input", CliRunner.Photo, "--output", output, "--resolution", "256");
        Assert.Equal(0, result.ExitCode);
        var map = ImageDecoder.DecodeFile(output);
        Assert.Equal((256, 256), (map.Width, map.Height));
    }

    [Fact]
    public void Default_is_the_demo_preprocess_at_resolution_512_matching_OpenCV()
    {
        // RGBA 512x384: HWC3 composites over white, resize_image(…, 512) enlarges to 704x512 with INTER_LANCZOS4.
        var output = PathOf("rgba-edges.png");
        var input = Path.Combine(AppContext.BaseDirectory, "Fixtures", "astronaut_rgba_512x384.png");
        var result = CliRunner.Run("preprocess", "canny", "--input", input, "--output", output);

        Assert.Equal(0, result.ExitCode);
        var expected = ImageDecoder.DecodeFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "canny_astronaut_rgba_512x384_r512.png"));
        var written = ImageDecoder.DecodeFile(output);
        Assert.Equal((704, 512), (written.Width, written.Height));
        Assert.True(expected.Data.AsSpan().SequenceEqual(written.Data), "the map differs from cv2.Canny(resize_image(HWC3(img), 512), 100, 200)");
    }

    [Fact]
    public void Keep_size_skips_the_resize()
    {
        var input = PathOf("odd.png");
        PngFile.WriteFile(new ByteImage(70, 45, 3), input);
        var output = PathOf("odd-map.png");
        Assert.Equal(0, CliRunner.Run("preprocess", "invert", "--input", input, "--output", output, "--keep-size").ExitCode);
        var map = ImageDecoder.DecodeFile(output);
        Assert.Equal((70, 45), (map.Width, map.Height));
        Assert.All(map.Data, b => Assert.Equal(255, b));
    }

    [Fact]
    public void Resolution_and_keep_size_together_are_refused()
    {
        var result = CliRunner.Run("preprocess", "invert", "--input", CliRunner.Photo, "--output", PathOf("x.png"), "--keep-size", "--resolution", "256");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not both", result.Stderr);
    }

    public static TheoryData<string, byte[], string> BadInputs => new()
    {
        { "truncated.png", Truncated(), "corrupt or truncated" },
        { "notes.png", "this is a text file, not a picture\n"u8.ToArray(), "not a supported image format" },
        { "empty.png", [], "is empty (0 bytes)" },
        { "bomb.png", BombHeader(), "over the decode limit of 40 megapixels" },
        { "image.gif", "GIF89a\x01\x00\x01\x00\x00\x00\x00;"u8.ToArray(), "not a supported image format" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_one_line_error_exit_2_and_no_output(string name, byte[] content, string reason)
    {
        var input = PathOf(name);
        File.WriteAllBytes(input, content);
        var output = PathOf(name + ".out.png");

        var result = CliRunner.Run("preprocess", "canny", "--input", input, "--output", output);

        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(reason, lines[0]);
        Assert.Contains(name, lines[0]);
        Assert.False(File.Exists(output));
        Assert.Equal([name], Directory.GetFiles(_directory).Select(Path.GetFileName)); // no temp files either
    }

    [Theory]
    [InlineData("--low", "abc", "'low' must be a number")]
    [InlineData("--resolution", "10", "--resolution must be between 64 and 4096")]
    [InlineData("--colour", "red", "Unknown option --colour for 'controlnet preprocess canny'")]
    public void Wrong_parameter_is_named(string option, string value, string message)
    {
        var output = PathOf("x.png");
        var result = CliRunner.Run("preprocess", "canny", "--input", CliRunner.Photo, "--output", output, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Unknown_control_type_lists_the_known_ones()
    {
        var result = CliRunner.Run("preprocess", "hed", "--input", CliRunner.Photo, "--output", PathOf("x.png"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown control type 'hed'", result.Stderr);
    }

    [Fact]
    public void Bench_canny_ends_with_the_median()
    {
        var result = CliRunner.Run("bench", "canny", "--input", CliRunner.Photo, "--iterations", "5");
        Assert.Equal(0, result.ExitCode);
        var last = result.StdoutLines[^1];
        Assert.StartsWith("median_ms=", last);
        Assert.True(double.Parse(last["median_ms=".Length..], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    /// <summary>The first half of a real PNG photo.</summary>
    private static byte[] Truncated()
    {
        var png = File.ReadAllBytes(CliRunner.Photo);
        return png[..(png.Length / 2)];
    }

    /// <summary>A PNG whose IHDR claims 30000×30000 (the rest is a stub).</summary>
    private static byte[] BombHeader()
    {
        var png = PngFile.Encode(new ByteImage(1, 1, 3));
        // IHDR data starts at byte 16: width and height as big-endian int32; the CRC must be fixed too.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 30000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 30000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        return png;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
