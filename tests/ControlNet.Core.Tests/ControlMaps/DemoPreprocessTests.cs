using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;

namespace ControlNet.Core.Tests.ControlMaps;

/// <summary>
/// The paper demo's preprocess end to end — decode with HWC3, <c>resize_image(img, R)</c>, Canny (100, 200) — against
/// <c>cv2.Canny(resize_image(HWC3(img), R), 100, 200)</c> written by Fixtures/resize/make_reference.py.
/// </summary>
public class DemoPreprocessTests
{
    [Theory]
    [InlineData("retina_1411", 512)]            // 1411 → 512: INTER_AREA, fractional
    [InlineData("astronaut_512", 768)]          // 512 → 768: INTER_LANCZOS4
    [InlineData("retina_1411_rows_250_1150", 512)] // 1411x900 → 832x512
    [InlineData("astronaut_rgba_512x384", 512)] // RGBA over white, then 512x384 → 704x512
    public void Canny_after_resize_image_matches_the_reference(string input, int resolution)
    {
        var source = Decode(input);
        var expected = FixtureImages.Load(TestImages.Fixture("resize", "expected", $"canny_{input}_r{resolution}.png"), 1);

        var map = new CannyExtractor().Extract(ReferenceResize.ToResolution(source, resolution), new ControlMapParameters(
            new Dictionary<string, string> { ["low"] = "100", ["high"] = "200" }));

        FixtureImages.AssertSame(expected, ToGray(map), $"canny of {input} at resolution {resolution}");
    }

    private static ByteImage Decode(string input)
    {
        if (input == "retina_1411_rows_250_1150")
        {
            var photo = ImageDecoder.DecodeFile(TestImages.Fixture("photos", "retina_1411.png"));
            var rows = new ByteImage(photo.Width, 900, 3);
            photo.Data.AsSpan(250 * photo.Stride, 900 * photo.Stride).CopyTo(rows.Data);
            return rows;
        }
        var photoPath = TestImages.Fixture("photos", input + ".png");
        return ImageDecoder.DecodeFile(File.Exists(photoPath) ? photoPath : TestImages.Fixture("resize", "inputs", input + ".png"));
    }

    // Canny maps are stored as one channel; the extractor hands the pipeline three equal ones.
    private static ByteImage ToGray(ByteImage map)
    {
        if (map.Channels == 1) return map;
        var gray = new ByteImage(map.Width, map.Height, 1);
        for (int i = 0; i < gray.Data.Length; i++) gray.Data[i] = map.Data[i * map.Channels];
        return gray;
    }
}
