namespace ControlNet.Core;

/// <summary>
/// The caller's input (an image, a parameter, a model folder) is wrong and retrying will not help.
/// The message says what was wrong and what would fix it; hosts show it to the user as it is.
/// Any other exception is treated as a possibly transient fault.
/// </summary>
public class InvalidInputException : Exception
{
    public InvalidInputException(string message) : base(message) { }
    public InvalidInputException(string message, Exception inner) : base(message, inner) { }
}
