using Tensorflow.Serving;

namespace DaprVideo.TfServing;

/// <summary>One Predict round trip, over gRPC or REST; failures surface as the protocol's own exceptions.</summary>
internal interface ITfServingTransport : IDisposable
{
    Task<PredictResponse> PredictAsync(PredictRequest request, CancellationToken cancellationToken);

    /// <summary>Bytes the request takes on the wire (body only), for measurement.</summary>
    long MeasureRequest(PredictRequest request);
}
