using System.Text.Json;
using ControlNet.Core;
using ControlNet.Core.Text;

namespace ControlNet.Cli.Commands;

/// <summary>`controlnet tokens --tokenizer DIR [--json] TEXT`: the 77 ids SD1.5's text encoder sees.</summary>
internal static class TokensCommand
{
    public static readonly CommandSpec Spec = new("tokens", "--tokenizer DIR [--json] TEXT",
        "the 77 CLIP token ids Stable Diffusion's text encoder sees, and how many were cut",
        [
            new("tokenizer", "DIR", "folder with vocab.json and merges.txt (e.g. models/sd15/tokenizer)"),
            new("json", null, "print the ids as a JSON array"),
        ]);

    public static int Run(string[] raw)
    {
        var args = new CommandLineArguments(raw, Spec);
        var directory = args.Required("tokenizer");
        bool json = args.Flag("json");
        args.RejectUnused();
        if (args.Positional.Count == 0) throw new InvalidInputException("tokens needs the prompt text as an argument (quote it).");
        var text = string.Join(" ", args.Positional);

        var tokens = ClipTokenizer.FromDirectory(directory).Encode(text);
        Console.WriteLine(json ? JsonSerializer.Serialize(tokens.InputIds) : string.Join(" ", tokens.InputIds));
        Console.WriteLine($"prompt_tokens={tokens.PromptTokenCount} truncated={tokens.TruncatedTokenCount}");
        return 0;
    }
}
