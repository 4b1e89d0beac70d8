namespace DaprVideo.Settings;

/// <summary>
/// A setting is wrong. The message is the one line a host prints before it stops (exit code 2):
/// <c>VARIABLE: problem</c>.
/// </summary>
public sealed class SettingsException : Exception
{
    public SettingsException()
        : this("", "is not valid.")
    {
    }

    public SettingsException(string message)
        : this("", message)
    {
    }

    public SettingsException(string message, Exception? innerException)
        : this("", message, innerException)
    {
    }

    public SettingsException(string variable, string problem, Exception? innerException = null)
        : base(variable.Length == 0 ? problem : $"{variable}: {problem}", innerException)
    {
        Variable = variable;
    }

    /// <summary>The environment variable (or option) at fault.</summary>
    public string Variable { get; }
}
