// Words for the customer values the server sends (identifier types, attributes, tiers, consent
// purposes and channels, sources), in the console's language; unknown values (a custom
// attribute, a type added later) show as themselves.

import { useI18n } from 'vue-i18n';

export function useCustomerLabels() {
  const { t, te } = useI18n();
  const known = (key: string, fallback: string): string => (te(key) ? t(key) : fallback);
  return {
    identifierType: (type: string) => known(`identifierType.${type}`, type),
    attribute: (name: string) => known(`attr.${name}`, name),
    gender: (gender: string) => (gender ? known(`gender.${gender}`, gender) : ''),
    tier: (tier: string) => (tier ? known(`tier.${tier}`, tier) : ''),
    tierType: (tier: string): 'info' | 'warning' | 'danger' | 'success' | 'primary' =>
      tier === 'private' ? 'danger' : tier === 'wealth' ? 'warning' : tier === 'gold' ? 'success' : 'info',
    source: (source: string) => known(`dataSource.${source}`, source),
    purpose: (purpose: string) => known(`consentPurpose.${purpose}`, purpose),
    channel: (channel: string) => (channel ? known(`channel.${channel}`, channel) : ''),
    eventType: (type: string) => known(`eventType.${type}`, type),
    product: (product: string) => known(`product.${product}`, product),
  };
}
