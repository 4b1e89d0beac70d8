namespace DaprVideo.TfServing;

/// <summary>A bad TF Serving setting; the message is one line that names the variable.</summary>
public sealed class TfServingConfigurationException : Exception
{
    public TfServingConfigurationException()
    {
        Variable = "";
    }

    public TfServingConfigurationException(string message)
        : base(message)
    {
        Variable = "";
    }

    public TfServingConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Variable = "";
    }

    public TfServingConfigurationException(string variable, string problem, Exception? innerException = null)
        : base($"{variable}: {problem}", innerException)
    {
        Variable = variable;
    }

    /// <summary>The environment variable (or CLI option) at fault.</summary>
    public string Variable { get; }
}
