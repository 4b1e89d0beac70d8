namespace DaprVideo.ModelConverter.TensorFlow;

/// <summary>Element types a TF.js weight shard can hold that this converter accepts.</summary>
internal enum TfDataType
{
    Float32,
    Int32,
}
