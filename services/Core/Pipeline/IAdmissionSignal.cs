namespace DaprVideo.Core.Pipeline;

/// <summary>
/// Whether the pipeline can take another stream. Embedded: the in-process <see cref="AnalysisRateController"/>;
/// distributed: <see cref="StoredAdmissionSignal"/>, which reads the load records the Inference replicas store.
/// </summary>
public interface IAdmissionSignal
{
    /// <summary>Null when a new stream is welcome; otherwise why not and when to ask again.</summary>
    ValueTask<AdmissionRefusal?> CheckAsync(CancellationToken cancellationToken = default);
}

/// <summary>A new stream is refused: <see cref="Message"/> is one line for people; ask again after <see cref="RetryAfter"/>.</summary>
public sealed record AdmissionRefusal(string Message, TimeSpan RetryAfter);
