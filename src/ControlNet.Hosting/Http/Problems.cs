using ControlNet.Workflow.Jobs;
using Microsoft.AspNetCore.Http;

namespace ControlNet.Hosting.Http;

/// <summary>RFC 7807 <c>application/problem+json</c> answers: a title, the HTTP status, and a detail a person can act on.</summary>
public static class Problems
{
    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static IResult Unauthorized() => Results.Problem(
        "Send the API key in the x-functions-key header.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");

    public static IResult UnsupportedMediaType(string? contentType) => Results.Problem(
        $"Post a job as application/json, or as multipart/form-data with a file part 'image' and an optional JSON part 'job' (got '{contentType ?? "no content type"}').",
        statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>
    /// A validation problem whose <c>errors</c> map lists every invalid field: each message of the contract's one
    /// validator under the field it names first (messages read "steps must be …", "controls[1].scale …"), else "job".
    /// </summary>
    public static IResult Validation(IReadOnlyList<string> messages)
    {
        var errors = messages
            .GroupBy(FieldOf, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        return Results.ValidationProblem(errors, detail: messages.Count == 1 ? messages[0] : $"{messages.Count} fields are invalid.",
            title: "The job is invalid");
    }

    private static readonly HashSet<string> Fields = typeof(JobRequest).GetProperties()
        .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]).Append("image").ToHashSet(StringComparer.Ordinal);

    internal static string FieldOf(string message)
    {
        int end = 0;
        while (end < message.Length && (char.IsLetterOrDigit(message[end]) || message[end] is '[' or ']' or '.' or '_')) end++;
        var word = message[..end];
        var root = word.Split('[', '.')[0];
        return Fields.Contains(root) ? word : "job";
    }
}
