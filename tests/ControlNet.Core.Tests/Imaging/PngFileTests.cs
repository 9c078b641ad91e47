using ControlNet.Core.Imaging;

namespace ControlNet.Core.Tests.Imaging;

public class PngFileTests
{
    [Fact]
    public void Parameters_round_trip_through_a_text_chunk()
    {
        var image = TestImages.Pattern(8, 8);
        var png = PngFile.Encode(image, new Dictionary<string, string> { ["parameters"] = "a cat\nSteps: 20, Seed: 7" });

        using var stream = new MemoryStream(png);
        Assert.Equal("a cat\nSteps: 20, Seed: 7", PngFile.ReadText(stream)["parameters"]);
        Assert.Contains("tEXt"u8.ToArray(), Chunks(png)); // uncompressed Latin-1 text, readable by any tool
        Assert.Equal(image.Data, ImageDecoder.Decode(png).Data);
    }

    [Fact]
    public void Gray_maps_are_written_as_gray_png()
    {
        var map = TestImages.Pattern(5, 4, channels: 1);
        var decoded = ImageDecoder.Decode(PngFile.Encode(map));
        for (int i = 0; i < 20; i++) Assert.Equal(map.Data[i], decoded.Data[i * 3]);
    }

    [Fact]
    public void WriteFile_leaves_no_temporary_files()
    {
        var directory = Directory.CreateTempSubdirectory("png-");
        var path = Path.Combine(directory.FullName, "out.png");
        PngFile.WriteFile(TestImages.Pattern(4, 4), path);
        Assert.Equal(["out.png"], directory.GetFiles().Select(f => f.Name));
    }

    private static IEnumerable<byte[]> Chunks(byte[] png)
    {
        for (int offset = 8; offset + 8 <= png.Length;)
        {
            int length = (png[offset] << 24) | (png[offset + 1] << 16) | (png[offset + 2] << 8) | png[offset + 3];
            yield return png[(offset + 4)..(offset + 8)];
            offset += 12 + length;
        }
    }
}
