using System.Text.Json;
using ControlNet.Core;
using ControlNet.Core.Text;

namespace ControlNet.Cli.Commands;

/// <summary>`controlnet tokens --tokenizer DIR [--json] TEXT`: the 77 ids SD1.5's text encoder sees.</summary>
internal static class TokensCommand
{
    public static int Run(string[] raw)
    {
        var args = new CommandLineArguments(raw, flagNames: ["json"]);
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
