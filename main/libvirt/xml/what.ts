import { msg, type Msg } from '../../../shared/i18n/message';

/** What is parsed, for messages: the default names are catalogue words, a file's name is itself. */
export function whatMsg(what: string): Msg | string {
  return what === 'The domain XML' ? msg('error.xml.theDomainXml') : what === 'A built element' ? msg('error.xml.aBuiltElement') : what;
}
