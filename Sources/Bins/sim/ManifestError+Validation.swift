import ArgumentParser
import SimManifests

extension ManifestError {
    /// For the command line: ArgumentParser's validation error, which `sim` turns into exit status 2.
    var validationError: ValidationError { ValidationError(description) }
}
