namespace ControlNet.Core.Imaging;

/// <summary>
/// OpenCV's INTER_AREA when shrinking (both scale factors ≥ 1): every output pixel is the average of the
/// source area it covers. Integer factors take resize.cpp's integer path; any other factor its fractional
/// path with float weights per (output, source) overlap (computeResizeAreaTab + ResizeArea_Invoker).
/// </summary>
internal static class AreaResize
{
    public static ByteImage IntegerFactor(ByteImage source, int width, int height, int factorX, int factorY)
    {
        int channels = source.Channels;
        int area = factorX * factorY;
        float scale = 1f / area;
        int fullCells = source.Width / factorX * channels;
        int rowLength = width * channels, sourceRowLength = source.Width * channels;
        bool halving = factorX == 2 && factorY == 2;
        var result = new ByteImage(width, height, channels);
        for (int dy = 0; dy < height; dy++)
        {
            var target = result.Row(dy);
            int sy0 = dy * factorY;
            if (sy0 >= source.Height) { target.Clear(); continue; }
            int full = sy0 + factorY <= source.Height ? fullCells : 0;
            int dx = 0;
            if (halving)
            {
                // ResizeAreaFastVec: rounds half up, unlike the float path below.
                var top = source.Row(sy0);
                var bottom = source.Row(sy0 + 1);
                for (; dx < full; dx++)
                {
                    int pixel = dx / channels, c = dx % channels;
                    int i = 2 * pixel * channels + c;
                    target[dx] = (byte)((top[i] + top[i + channels] + bottom[i] + bottom[i + channels] + 2) >> 2);
                }
            }
            for (; dx < full; dx++)
            {
                int pixel = dx / channels, c = dx % channels;
                int sum = 0;
                for (int y = 0; y < factorY; y++)
                {
                    var row = source.Row(sy0 + y);
                    for (int x = 0; x < factorX; x++) sum += row[(pixel * factorX + x) * channels + c];
                }
                target[dx] = OpenCvResize.SaturateByte(sum * scale);
            }
            // Cells cut by the right or bottom edge: the mean of the pixels that exist.
            for (; dx < rowLength; dx++)
            {
                int pixel = dx / channels, c = dx % channels;
                int sx0 = pixel * factorX * channels + c;
                int sum = 0, count = 0;
                for (int y = 0; y < factorY && sy0 + y < source.Height; y++)
                {
                    var row = source.Row(sy0 + y);
                    for (int x = 0; x < factorX * channels && sx0 + x < sourceRowLength; x += channels)
                    {
                        sum += row[sx0 + x];
                        count++;
                    }
                }
                target[dx] = OpenCvResize.SaturateByte((float)sum / count);
            }
        }
        return result;
    }

    public static ByteImage Fractional(ByteImage source, int width, int height, double scaleX, double scaleY)
    {
        int channels = source.Channels;
        var columns = Overlaps(source.Width, width, channels, scaleX);
        var rows = Overlaps(source.Height, height, 1, scaleY);
        int rowLength = width * channels;
        var buffer = new float[rowLength];
        var sum = new float[rowLength];
        var result = new ByteImage(width, height, channels);
        int j = 0;
        for (int dy = 0; dy < height; dy++)
        {
            Array.Clear(sum);
            for (; j < rows.Count && rows[j].Target == dy; j++)
            {
                var row = source.Row(rows[j].Source);
                Array.Clear(buffer);
                foreach (var column in columns)
                    for (int c = 0; c < channels; c++)
                        buffer[column.Target + c] += row[column.Source + c] * column.Weight;
                float beta = rows[j].Weight;
                for (int x = 0; x < rowLength; x++) sum[x] += beta * buffer[x];
            }
            var target = result.Row(dy);
            for (int x = 0; x < rowLength; x++) target[x] = OpenCvResize.SaturateByte(sum[x]);
        }
        return result;
    }

    private readonly record struct Overlap(int Target, int Source, float Weight);

    /// <summary>computeResizeAreaTab: the source cells under output cell d, weighted by overlap / cell width.</summary>
    private static List<Overlap> Overlaps(int sourceLength, int length, int channels, double scale)
    {
        var table = new List<Overlap>(sourceLength * 2);
        for (int d = 0; d < length; d++)
        {
            double start = d * scale;
            double end = start + scale;
            double cellWidth = Math.Min(scale, sourceLength - start);
            int first = (int)Math.Ceiling(start), last = (int)Math.Floor(end);
            last = Math.Min(last, sourceLength - 1);
            first = Math.Min(first, last);
            if (first - start > 1e-3)
                table.Add(new(d * channels, (first - 1) * channels, (float)((first - start) / cellWidth)));
            for (int s = first; s < last; s++)
                table.Add(new(d * channels, s * channels, (float)(1.0 / cellWidth)));
            if (end - last > 1e-3)
                table.Add(new(d * channels, last * channels, (float)(Math.Min(Math.Min(end - last, 1.0), cellWidth) / cellWidth)));
        }
        return table;
    }
}
