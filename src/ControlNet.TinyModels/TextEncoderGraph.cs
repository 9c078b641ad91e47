namespace ControlNet.TinyModels;

/// <summary>
/// CLIP text encoder stand-in: an embedding lookup (<see cref="TinyModelSet.EmbeddingValue"/>) and its mean
/// over tokens as pooler_output. Same graph for both kinds; the text encoder runs once per prompt.
/// </summary>
internal static class TextEncoderGraph
{
    public static OnnxGraph Build(TinyModelOptions options)
    {
        int rows = TinyModelSet.TextEncoderTableRows, dim = options.EmbeddingDim;
        var graph = new OnnxGraphBuilder("tiny_text_encoder");
        var idsType = options.InputIdsElementType;
        graph.AddInput("input_ids", idsType, "batch", TinyModelSet.TokenCount);

        var tableRows = idsType == OnnxElementType.Int64
            ? graph.Int64s(rows)
            : graph.Apply("Cast", graph.Int64s(rows), OnnxAttribute.Int("to", (long)OnnxElementType.Int32));
        var row = graph.Apply("Mod", "input_ids", tableRows);

        var table = new float[rows * dim];
        for (int i = 0; i < rows; i++)
            for (int d = 0; d < dim; d++)
                table[i * dim + d] = (float)TinyModelSet.EmbeddingValue(i, d);
        var hidden = graph.Apply("Gather", [graph.Constant(table, rows, dim), row], OnnxAttribute.Int("axis", 0));
        var pooled = graph.Apply("ReduceMean", hidden, OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));

        graph.FloatOutput(hidden, "last_hidden_state", options.FloatElementType, "batch", TinyModelSet.TokenCount, dim);
        graph.FloatOutput(pooled, "pooler_output", options.FloatElementType, "batch", dim);
        return graph.Build();
    }
}
